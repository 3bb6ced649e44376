// One's own account: password and sessions.
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

  S.init().then(async (user) => {
    document.getElementById("me").textContent =
      user.display_name + " (" + user.username + ") · " + user.role_label;
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
