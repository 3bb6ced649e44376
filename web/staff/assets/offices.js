// One-stop desks (editors): add and edit an office, assign it in bulk by implementing agency after
// seeing how many procedures it reaches, preview a citizen's answers; every change audited server-side.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const FIELDS = ["name", "address", "opening_hours", "phone", "note"];
  const CODE = /^\d\.\d{6}(\.\d{6})?$/;
  let current = null; // the office whose detail is open

  function fill(office) {
    const form = document.getElementById("office");
    form.elements.id.value = office ? office.id : "";
    for (const name of FIELDS) form.elements[name].value = office && office[name] ? office[name] : "";
    document.getElementById("form-title").textContent = office ? "Sửa " + office.name : "Thêm văn phòng";
    S.hideError("error");
    if (office) form.elements.name.focus();
  }

  async function load() {
    const offices = await api("GET", "/offices");
    const body = clear(document.getElementById("offices"));
    for (const office of offices) {
      body.appendChild(el("tr", { dataset: { office: String(office.id) } },
        el("td", {}, el("strong", { text: office.name }), el("div", { class: "muted", text: office.address })),
        el("td", { class: "text", text: office.opening_hours || "—" }),
        el("td", { text: office.phone || "—" }),
        el("td", { text: String(office.procedure_count) }),
        el("td", { text: office.updated_by }),
        el("td", { class: "office-buttons" },
          el("button", { type: "button", class: "secondary", onclick: () => fill(office) }, "Sửa"),
          el("button", { type: "button", onclick: () => open(office.id) }, "Gán thủ tục, xem trước"))));
    }
    document.getElementById("no-offices").hidden = offices.length > 0;
    return offices;
  }

  async function open(id) {
    current = await api("GET", "/offices/" + id);
    const box = document.getElementById("office-detail");
    box.hidden = false;
    document.getElementById("detail-title").textContent = current.name;
    clear(document.getElementById("assign-preview")).hidden = true;
    clear(document.getElementById("preview")).hidden = true;
    clear(document.getElementById("preview-hits"));
    for (const target of ["assign-error", "preview-error"]) S.hideError(target);
    renderProcedures();
    history.replaceState(null, "", "/staff/offices?office=" + encodeURIComponent(current.id));
    box.scrollIntoView({ block: "start" });
  }

  function renderProcedures() {
    const list = clear(document.getElementById("office-procedures"));
    for (const p of current.procedures) {
      list.appendChild(el("li", { class: "office-procedure" },
        el("div", {},
          el("span", { class: "title", text: p.name }),
          el("span", { class: "meta" }, el("span", { class: "muted", text: p.code + " · " + p.levels_label }),
            p.own_address ? S.badge("Có địa chỉ riêng", "warn") : null,
            p.own_hours ? S.badge("Có giờ làm việc riêng", "warn") : null)),
        el("div", { class: "office-buttons" },
          el("button", { type: "button", class: "secondary", onclick: () => preview(p.code) }, "Xem trước"),
          el("button", { type: "button", class: "secondary", onclick: () => unassign(p) }, "Bỏ khỏi văn phòng"))));
    }
    document.getElementById("no-procedures").hidden = current.procedures.length > 0;
  }

  function assignBody() {
    const form = document.getElementById("assign");
    return { agency: form.elements.agency.value, level: form.elements.level.value };
  }

  async function previewAssignment(event) {
    event.preventDefault();
    S.hideError("assign-error");
    const box = clear(document.getElementById("assign-preview"));
    box.hidden = true;
    const body = assignBody();
    try {
      const result = await api("POST", `/offices/${current.id}/assign/preview`, body);
      const level = result.level_label ? ", " + result.level_label : "";
      const lines = [
        el("p", { class: "office-count" },
          el("strong", { text: `Sẽ gán “${result.office}” cho ${result.count} thủ tục` }),
          ` có cơ quan thực hiện chứa “${result.agency}”${level}.`),
      ];
      if (result.already) lines.push(el("p", { class: "muted", text: `${result.already} thủ tục đã dùng văn phòng này.` }));
      if (result.moving) {
        lines.push(el("p", { class: "notice", text: `${result.moving} thủ tục đang dùng văn phòng khác sẽ chuyển sang văn phòng này.` }));
      }
      if (result.count) {
        lines.push(el("ul", { class: "office-sample" },
          result.sample.map((p) => el("li", { text: `${p.name} (${p.code} · ${p.levels_label})` })),
          result.count > result.sample.length ? el("li", { class: "muted", text: `… và ${result.count - result.sample.length} thủ tục khác` }) : null));
        lines.push(el("div", { class: "actions" },
          el("button", { type: "button", id: "confirm-assign", onclick: () => assign(body, result.count) }, `Xác nhận gán ${result.count} thủ tục`),
          el("button", { type: "button", class: "secondary", onclick: () => { clear(box).hidden = true; } }, "Thôi")));
      } else {
        lines.push(el("p", { class: "muted", text: "Không có thủ tục nào như vậy: thử bớt chữ, ví dụ “Ủy ban nhân dân”." }));
      }
      S.append(box, lines);
      box.hidden = false;
    } catch (err) {
      S.showError("assign-error", err);
    }
  }

  async function assign(body, count) {
    try {
      const result = await api("POST", `/offices/${current.id}/assign`, { ...body, expected: count });
      S.toast(`Đã gán cho ${result.assigned} thủ tục. Câu trả lời tiếp theo dùng thông tin văn phòng.`);
      await load();
      await open(current.id);
    } catch (err) {
      S.showError("assign-error", err);
    }
  }

  async function unassign(p) {
    try {
      await api("DELETE", `/offices/${current.id}/procedures/${encodeURIComponent(p.code)}`);
      S.toast("Đã bỏ thủ tục " + p.code + " khỏi văn phòng.");
      await load();
      await open(current.id);
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  async function findForPreview(event) {
    event.preventDefault();
    S.hideError("preview-error");
    const q = document.getElementById("preview-q").value.trim();
    const list = clear(document.getElementById("preview-hits"));
    if (!q) return;
    if (CODE.test(q)) { await preview(q); return; }
    try {
      const hits = await api("GET", `/procedures?q=${encodeURIComponent(q)}&limit=5`);
      for (const hit of hits) {
        list.appendChild(el("li", {}, el("button", { type: "button", class: "item", onclick: () => preview(hit.code) },
          el("span", { class: "title", text: hit.name }),
          el("span", { class: "meta" }, el("span", { class: "muted", text: hit.code + " · " + hit.level_label })))));
      }
      if (!hits.length) S.showError("preview-error", new Error("Không tìm thấy thủ tục nào."));
    } catch (err) {
      S.showError("preview-error", err);
    }
  }

  async function preview(code) {
    S.hideError("preview-error");
    const box = clear(document.getElementById("preview"));
    try {
      const data = await api("GET", `/offices/${current.id}/preview?code=${encodeURIComponent(code)}`);
      clear(document.getElementById("preview-hits"));
      const notes = [];
      if (!data.assigned) notes.push("Thủ tục này chưa gán văn phòng này: đây là câu trả lời nếu gán.");
      if (data.own_address || data.own_hours) notes.push("Thủ tục có địa chỉ hoặc giờ làm việc riêng: thông tin riêng được dùng thay cho của văn phòng.");
      S.append(box, [
        el("h4", { text: `${data.name} (mã ${data.code})` }),
        notes.map((text) => el("p", { class: "notice", text })),
        data.answers.map((item) => el("div", { class: "office-answer" },
          el("div", { class: "muted", text: item.question }),
          el("div", { class: "bubble bot", text: item.text }))),
      ]);
      box.hidden = false;
      box.scrollIntoView({ block: "nearest" });
    } catch (err) {
      S.showError("preview-error", err);
    }
  }

  async function remove() {
    const count = current.procedures.length;
    const question = count
      ? `Xóa “${current.name}”? ${count} thủ tục sẽ không còn địa chỉ, giờ làm việc của văn phòng này.`
      : `Xóa “${current.name}”?`;
    if (!window.confirm(question)) return;
    try {
      await api("DELETE", "/offices/" + current.id);
      S.toast("Đã xóa văn phòng.");
      current = null;
      document.getElementById("office-detail").hidden = true;
      history.replaceState(null, "", "/staff/offices");
      fill(null);
      await load();
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  S.init().then(async () => {
    const form = document.getElementById("office");
    document.getElementById("cancel").addEventListener("click", () => fill(null));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      const body = {};
      for (const name of FIELDS) body[name] = form.elements[name].value;
      const id = form.elements.id.value;
      try {
        const saved = await api(id ? "PUT" : "POST", id ? "/offices/" + id : "/offices", body);
        S.toast("Đã lưu. Câu trả lời tiếp theo của mọi thủ tục dùng văn phòng này dùng thông tin mới.");
        fill(null);
        await load();
        await open(saved.id);
      } catch (err) {
        S.showError("error", err);
      }
    });
    document.getElementById("assign").addEventListener("submit", previewAssignment);
    document.getElementById("preview-form").addEventListener("submit", findForPreview);
    document.getElementById("delete").addEventListener("click", remove);
    await load();
    const office = S.params().get("office");
    if (office && /^\d+$/.test(office)) {
      try { await open(office); } catch (err) { S.toast(err.message, "bad"); }
    }
  });
})();
