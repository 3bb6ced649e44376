// Sign-in page: the password, then (for an officer who turned two-step sign-in on) the code from the
// authenticator app. On success, go back to the page that asked for it (only a /staff/ page); an
// admin who must turn two-step sign-in on first goes to their account page.
"use strict";

(function () {
  const { api, showError, hideError, params } = window.Staff;
  const passwordForm = document.getElementById("login");
  const totpForm = document.getElementById("totp");

  function nextPage() {
    const next = params().get("next") || "";
    return /^\/staff\/[a-z]+(\?[\w=&%-]*)?$/.test(next) && next !== "/staff/login" ? next : "/staff/inbox";
  }

  function done(result) {
    location.assign(result && result.totp_enrol_required ? "/staff/account?totp=required" : nextPage());
  }

  function askForCode(show) {
    passwordForm.hidden = show;
    totpForm.hidden = !show;
    if (show) document.getElementById("totp_code").focus();
  }

  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError("error");
    const button = document.getElementById("submit");
    button.disabled = true;
    try {
      const result = await api("POST", "/auth/login", {
        username: document.getElementById("username").value,
        password: document.getElementById("password").value,
      }, { noRedirect: true });
      if (result && result.totp_required) {
        document.getElementById("password").value = "";
        button.disabled = false;
        askForCode(true);
        return;
      }
      done(result);
    } catch (error) {
      showError("error", error);
      button.disabled = false;
    }
  });

  totpForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError("totp-error");
    const button = document.getElementById("totp-submit");
    button.disabled = true;
    try {
      const result = await api("POST", "/auth/login/totp", {
        totp_code: document.getElementById("totp_code").value.replace(/\s+/g, ""),
      }, { noRedirect: true });
      done(result);
    } catch (error) {
      showError("totp-error", error);
      document.getElementById("totp_code").value = "";
      button.disabled = false;
    }
  });

  document.getElementById("totp-back").addEventListener("click", () => {
    hideError("totp-error");
    askForCode(false);
    document.getElementById("password").focus();
  });
})();
