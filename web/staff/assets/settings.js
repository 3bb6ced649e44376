// Settings (admins): calendar exceptions used for expected result dates.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;

  async function load() {
    const days = await api("GET", "/settings/days-off");
    const body = clear(document.getElementById("days"));
    for (const day of days) {
      body.appendChild(el("tr", {},
        el("td", { text: S.fmtDate(day.day) }),
        el("td", { text: day.weekday }),
        el("td", { text: day.kind_label }),
        el("td", { text: day.note }),
        el("td", { text: day.created_by }),
        el("td", {}, el("button", { type: "button", class: "secondary", onclick: async () => {
          try {
            await api("DELETE", `/settings/days-off/${day.id}`);
            S.toast("Đã xóa.");
            await load();
          } catch (err) {
            S.toast(err.message, "bad");
          }
        } }, "Xóa"))));
    }
  }

  S.init().then(async () => {
    const form = document.getElementById("add");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      try {
        await api("POST", "/settings/days-off", {
          day: form.elements.day.value, kind: form.elements.kind.value, note: form.elements.note.value,
        });
        form.reset();
        S.toast("Đã thêm.");
        await load();
      } catch (err) {
        S.showError("error", err);
      }
    });
    await load();
  });
})();
