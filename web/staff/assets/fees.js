// Fee table keyed by legal document (editors): list, add, edit; every change audited server-side.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const FIELDS = ["legal_number", "title", "amounts", "source", "valid_until", "note"];

  function fill(fee) {
    const form = document.getElementById("fee");
    form.elements.id.value = fee ? fee.id : "";
    for (const name of FIELDS) form.elements[name].value = fee && fee[name] ? fee[name] : "";
    document.getElementById("form-title").textContent = fee ? "Sửa " + fee.legal_number : "Thêm văn bản";
    S.hideError("error");
    if (fee) form.elements.amounts.focus();
  }

  async function load() {
    const fees = await api("GET", "/fees");
    const body = clear(document.getElementById("fees"));
    for (const fee of fees) {
      body.appendChild(el("tr", {},
        el("td", {}, el("strong", { text: fee.legal_number }), el("div", { class: "muted", text: fee.title })),
        el("td", { class: "text", text: fee.amounts }),
        el("td", { text: fee.source }),
        el("td", { text: fee.valid_until ? S.fmtDate(fee.valid_until) : "Không thời hạn" }),
        el("td", { text: fee.from_seed && fee.updated_by === "seed" ? "Dữ liệu ban đầu" : fee.updated_by }),
        el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => fill(fee) }, "Sửa"))));
    }
  }

  S.init().then(async () => {
    const form = document.getElementById("fee");
    document.getElementById("cancel").addEventListener("click", () => fill(null));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      const body = {};
      for (const name of FIELDS) body[name] = form.elements[name].value;
      body.valid_until = body.valid_until || null;
      const id = form.elements.id.value;
      try {
        await api(id ? "PUT" : "POST", id ? "/fees/" + id : "/fees", body);
        S.toast("Đã lưu. Câu trả lời tiếp theo dùng mức thu mới.");
        fill(null);
        await load();
      } catch (err) {
        S.showError("error", err);
      }
    });
    await load();
  });
})();
