// Accounts (admins): create, change role, lock / unlock, reset a password or a lost two-step sign-in.
// Locking an account and changing a role are asked for confirmation first.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;

  // A dialog asking to confirm, with the action named on its button; resolves true or false.
  function confirmDialog(message, okLabel, danger) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = message;
    const ok = document.getElementById("confirm-ok");
    const cancel = document.getElementById("confirm-cancel");
    ok.textContent = okLabel;
    ok.className = danger ? "danger" : "";
    return new Promise((resolve) => {
      const done = (value) => {
        ok.onclick = null; cancel.onclick = null; dialog.oncancel = null;
        if (dialog.open) dialog.close();
        resolve(value);
      };
      ok.onclick = () => done(true);
      cancel.onclick = () => done(false);
      dialog.oncancel = () => done(false);
      dialog.showModal();
      cancel.focus();
    });
  }

  function who(user) { return user.display_name ? `${user.display_name} (${user.username})` : user.username; }

  async function changeRole(user) {
    const toAdmin = user.role !== "admin";
    const message = toAdmin
      ? `Chuyển ${who(user)} thành quản trị viên? Quản trị viên quản lý người dùng, nhập dữ liệu và cài đặt của hệ thống.`
      : `Chuyển ${who(user)} thành biên tập viên? Người này sẽ không còn quản lý người dùng, nhập dữ liệu và cài đặt.`;
    if (!await confirmDialog(message, toAdmin ? "Chuyển thành quản trị viên" : "Chuyển thành biên tập viên")) return;
    await change(user, { role: toAdmin ? "admin" : "editor" }, "Đã đổi vai trò của " + user.username + ".");
  }

  async function setActive(user) {
    if (user.active) {
      const message = `Khóa tài khoản ${who(user)}? Người này bị đăng xuất và không đăng nhập được cho đến khi được mở khóa.`;
      if (!await confirmDialog(message, "Khóa tài khoản", true)) return;
    }
    await change(user, { active: !user.active }, user.active ? "Đã khóa tài khoản " + user.username + "." : "Đã mở khóa tài khoản " + user.username + ".");
  }

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
        self ? el("span", { class: "muted", text: "(bạn)" }) : el("button", { type: "button", class: "secondary role-change",
          onclick: () => changeRole(user) },
          user.role === "admin" ? "Chuyển thành biên tập viên" : "Chuyển thành quản trị viên"),
        " ",
        self ? null : el("button", { type: "button", class: (user.active ? "danger" : "secondary") + " lock",
          onclick: () => setActive(user) },
          user.active ? "Khóa" : "Mở khóa"),
        " ",
        el("button", { type: "button", class: "secondary", onclick: () => resetForm(user, actions) }, "Đặt lại mật khẩu"),
        user.totp_enabled && !self ? " " : null,
        user.totp_enabled && !self ? el("button", { type: "button", class: "secondary",
          onclick: () => change(user, { reset_totp: true },
            "Đã tắt xác thực hai bước của " + user.username + "; người này cài lại khi đăng nhập.") },
          "Cài lại xác thực hai bước") : null,
      ]);
      body.appendChild(el("tr", { dataset: { username: user.username } },
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
