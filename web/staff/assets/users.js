// Accounts (admins): create, change role, lock / unlock, reset a password or a lost two-step sign-in.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;

  async function change(user, body, message) {
    try {
      await api("PATCH", `/users/${user.id}`, body);
      S.toast(message);
      await load();
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  function resetForm(user, cell) {
    const input = el("input", { type: "password", "aria-label": "Mật khẩu mới cho " + user.username, autocomplete: "new-password" });
    const form = el("form", { class: "toolbar" }, input, el("button", { type: "submit", class: "secondary" }, "Đặt"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      change(user, { password: input.value }, "Đã đặt lại mật khẩu; các phiên đăng nhập của người này đã kết thúc.");
    });
    clear(cell).appendChild(form);
    input.focus();
  }

  async function load() {
    const users = await api("GET", "/users");
    const body = clear(document.getElementById("users"));
    const me = S.state.user;
    for (const user of users) {
      const actions = el("td", {});
      const self = user.id === me.id;
      S.append(actions, [
        self ? el("span", { class: "muted", text: "(bạn)" }) : el("button", { type: "button", class: "secondary",
          onclick: () => change(user, { role: user.role === "admin" ? "editor" : "admin" }, "Đã đổi vai trò.") },
          user.role === "admin" ? "Chuyển thành biên tập viên" : "Chuyển thành quản trị viên"),
        " ",
        self ? null : el("button", { type: "button", class: user.active ? "danger" : "secondary",
          onclick: () => change(user, { active: !user.active }, user.active ? "Đã khóa tài khoản." : "Đã mở khóa tài khoản.") },
          user.active ? "Khóa" : "Mở khóa"),
        " ",
        el("button", { type: "button", class: "secondary", onclick: () => resetForm(user, actions) }, "Đặt lại mật khẩu"),
        user.totp_enabled && !self ? " " : null,
        user.totp_enabled && !self ? el("button", { type: "button", class: "secondary",
          onclick: () => change(user, { reset_totp: true },
            "Đã tắt xác thực hai bước của " + user.username + "; người này cài lại khi đăng nhập.") },
          "Cài lại xác thực hai bước") : null,
      ]);
      body.appendChild(el("tr", {},
        el("td", { text: user.username }),
        el("td", { text: user.display_name }),
        el("td", { text: user.role_label }),
        el("td", {}, user.active ? S.badge("Đang hoạt động", "ok") : S.badge("Đã khóa", "warn"),
          user.totp_enabled ? [" ", S.badge("Xác thực hai bước", "ok")] : null),
        el("td", { text: S.fmtDateTime(user.last_login_at) || "—" }),
        actions));
    }
  }

  S.init().then(async () => {
    const form = document.getElementById("create");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      try {
        await api("POST", "/users", {
          username: form.elements.username.value, display_name: form.elements.display_name.value,
          role: form.elements.role.value, password: form.elements.password.value,
        });
        form.reset();
        S.toast("Đã tạo tài khoản.");
        await load();
      } catch (err) {
        S.showError("error", err);
      }
    });
    await load();
  });
})();
