// Audit log (admins): who changed what and when, before and after.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const PAGE = 50;
  let offset = 0;

  function json(value) {
    return value === null || value === undefined ? "" : JSON.stringify(value, null, 1);
  }

  async function load() {
    const actor = encodeURIComponent(document.getElementById("actor").value.trim());
    const action = encodeURIComponent(document.getElementById("action").value);
    const data = await api("GET", `/audit?actor=${actor}&action=${action}&limit=${PAGE}&offset=${offset}`);
    const select = document.getElementById("action");
    if (select.options.length === 1) {
      for (const [key, label] of Object.entries(data.action_labels)) select.appendChild(el("option", { value: key, text: label }));
    }
    const body = clear(document.getElementById("rows"));
    for (const row of data.rows) {
      body.appendChild(el("tr", {},
        el("td", { text: S.fmtDateTime(row.at) }),
        el("td", { text: row.actor }),
        el("td", { text: row.action_label }),
        el("td", { text: row.entity + (row.entity_id ? " #" + row.entity_id : "") }),
        el("td", {}, el("pre", { text: json(row.before) })),
        el("td", {}, el("pre", { text: json(row.after) }))));
    }
    document.getElementById("page-info").textContent =
      data.total ? `${offset + 1}–${Math.min(offset + PAGE, data.total)} / ${data.total}` : "Không có dòng nào.";
    document.getElementById("prev").disabled = offset === 0;
    document.getElementById("next").disabled = offset + PAGE >= data.total;
  }

  S.init().then(async () => {
    document.getElementById("filters").addEventListener("submit", (event) => { event.preventDefault(); offset = 0; load(); });
    document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
    document.getElementById("next").addEventListener("click", () => { offset += PAGE; load(); });
    await load();
  });
})();
