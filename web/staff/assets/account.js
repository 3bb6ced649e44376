// One's own account: two-step sign-in (TOTP), password and sessions.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;

  async function loadSessions() {
    const rows = await api("GET", "/auth/sessions");
    const body = clear(document.getElementById("sessions"));
    for (const row of rows) {
      body.appendChild(el("tr", {},
        el("td", { text: S.fmtDateTime(row.created_at) }),
        el("td", { text: S.fmtDateTime(row.last_seen_at) }),
        el("td", { text: row.ip }),
        el("td", { text: row.user_agent }),
        el("td", {}, row.current ? el("span", { class: "muted", text: "phiên này" }) :
          el("button", { type: "button", class: "secondary", onclick: async () => {
            await api("DELETE", `/auth/sessions/${row.id}`);
            S.toast("Đã đăng xuất phiên đó.");
            await loadSessions();
          } }, "Đăng xuất phiên này"))));
    }
  }

  // The secret in groups of four, as authenticator apps show and officers type it.
  function grouped(secret) { return secret.replace(/(.{4})(?=.)/g, "$1 "); }

  function showTotp(user, mustEnrol) {
    const on = Boolean(user.totp_enabled);
    document.getElementById("totp-required").hidden = !mustEnrol;
    document.getElementById("totp-status").textContent = on
      ? "Đang bật: mỗi lần đăng nhập cần mật khẩu và mã từ ứng dụng xác thực."
      : "Chưa bật. Khi bật, mỗi lần đăng nhập cần thêm mã 6 chữ số từ ứng dụng xác thực trên điện thoại." +
        (user.totp_required ? " Bắt buộc với quản trị viên." : "");
    document.getElementById("totp-start").parentElement.classList.toggle("hidden", on);
    document.getElementById("totp-enrol").hidden = true;
    // Admins who must use it cannot turn it off (the server refuses as well).
    document.getElementById("totp-off").hidden = !on || Boolean(user.totp_required);
  }

  function setUpTotp(user, mustEnrol) {
    showTotp(user, mustEnrol);
    document.getElementById("totp-start").addEventListener("click", async () => {
      try {
        const setup = await api("POST", "/auth/totp/setup");
        document.getElementById("totp-secret").textContent = grouped(setup.secret);
        document.getElementById("totp-uri").value = setup.uri;
        document.getElementById("totp-enrol").hidden = false;
        document.getElementById("totp-confirm-code").focus();
      } catch (err) {
        S.toast(err.message, "bad");
      }
    });
    document.getElementById("totp-enrol").addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("totp-error");
      try {
        const me = await api("POST", "/auth/totp/confirm", {
          totp_code: document.getElementById("totp-confirm-code").value.replace(/\s+/g, ""),
        });
        document.getElementById("totp-confirm-code").value = "";
        document.getElementById("totp-secret").textContent = "";
        document.getElementById("totp-uri").value = "";
        showTotp(me.user, false);
        S.toast("Đã bật xác thực hai bước.");
      } catch (err) {
        S.showError("totp-error", err);
      }
    });
    document.getElementById("totp-off").addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("totp-off-error");
      try {
        const me = await api("POST", "/auth/totp/disable", {
          totp_code: document.getElementById("totp-off-code").value.replace(/\s+/g, ""),
        });
        document.getElementById("totp-off-code").value = "";
        showTotp(me.user, false);
        S.toast("Đã tắt xác thực hai bước.");
      } catch (err) {
        S.showError("totp-off-error", err);
      }
    });
  }

  S.init().then(async (user) => {
    document.getElementById("me").textContent =
      user.display_name + " (" + user.username + ") · " + user.role_label;
    const mustEnrol = Boolean(user.totp_required && !user.totp_enabled);
    setUpTotp(user, mustEnrol);
    const form = document.getElementById("password-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      try {
        await api("POST", "/auth/password", {
          current_password: form.elements.current_password.value,
          new_password: form.elements.new_password.value,
        });
        form.reset();
        S.toast("Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc.");
        await loadSessions();
      } catch (err) {
        S.showError("error", err);
      }
    });
    await loadSessions();
  });
})();
