// Sign-in page: on success, go back to the page that asked for it (only a /staff/ page).
"use strict";

(function () {
  const { api, showError, hideError, params } = window.Staff;

  function nextPage() {
    const next = params().get("next") || "";
    return /^\/staff\/[a-z]+(\?[\w=&%-]*)?$/.test(next) && next !== "/staff/login" ? next : "/staff/inbox";
  }

  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError("error");
    const button = document.getElementById("submit");
    button.disabled = true;
    try {
      await api("POST", "/auth/login", {
        username: document.getElementById("username").value,
        password: document.getElementById("password").value,
      }, { noRedirect: true });
      location.assign(nextPage());
    } catch (error) {
      showError("error", error);
      button.disabled = false;
    }
  });
})();
