// National file import: upload -> dry run (added / changed / removed) -> apply or discard.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const SHOWN = 200;

  // A list that opens by itself only when short (a partial file can leave thousands of codes).
  function codeList(items, render) {
    const shown = items.slice(0, SHOWN);
    const box = el("details", { open: items.length <= 20 },
      el("summary", { text: "Xem danh sách (" + items.length + ")" }),
      el("ul", {}, shown.map(render)),
      items.length > SHOWN ? el("p", { class: "muted", text: "… và " + (items.length - SHOWN) + " thủ tục khác." }) : null);
    return box;
  }

  function renderPlan(batch) {
    const box = clear(document.getElementById("plan"));
    box.classList.remove("hidden");
    const s = batch.summary;
    const labels = batch.field_labels || {};
    const error = el("div", { class: "error", hidden: true });
    const remove = el("input", { type: "checkbox", id: "remove_missing", name: "remove_missing" });
    async function act(path, body, message) {
      S.hideError(error);
      try {
        const updated = await api("POST", `/imports/${batch.id}/${path}`, body);
        renderPlan(updated);
        await loadHistory();
        S.toast(message);
      } catch (err) {
        S.showError(error, err);
      }
    }
    S.append(box, [
      el("h2", { text: "Kết quả chạy thử: " + batch.filename }),
      el("p", { class: "muted", text: "Ngày lấy dữ liệu " + S.fmtDate(batch.source_date) + " · tải lên bởi " +
        batch.created_by + " lúc " + S.fmtDateTime(batch.created_at) }),
      el("div", { class: "tiles" },
        el("div", { class: "tile", id: "n-added" }, el("div", { class: "value", text: s.added.length }), el("div", { class: "label", text: "thủ tục mới" })),
        el("div", { class: "tile", id: "n-changed" }, el("div", { class: "value", text: s.changed.length }), el("div", { class: "label", text: "thủ tục thay đổi" })),
        el("div", { class: "tile", id: "n-removed" }, el("div", { class: "value", text: s.removed.length }), el("div", { class: "label", text: "có trong hệ thống, không có trong tệp" })),
        el("div", { class: "tile" }, el("div", { class: "value", text: s.unchanged }), el("div", { class: "label", text: "không đổi" })),
        el("div", { class: "tile" }, el("div", { class: "value", text: s.failed_count }), el("div", { class: "label", text: "bản ghi không đọc được" }))),
      s.added.length ? el("h3", { text: "Thủ tục mới" }) : null,
      s.added.length ? codeList(s.added, (i) => el("li", { text: i.code + " – " + i.name })) : null,
      s.changed.length ? el("h3", { text: "Thủ tục thay đổi" }) : null,
      s.changed.length ? codeList(s.changed, (i) => el("li", {},
        el("strong", { text: i.code }), " – " + i.name + " ",
        el("span", { class: "muted", text: "(" + i.fields.map((f) => labels[f] || f).join(", ") + ")" }))) : null,
      s.removed.length ? el("h3", { text: "Có trong hệ thống nhưng không có trong tệp" }) : null,
      s.removed.length ? el("p", { class: "notice", text: "Các thủ tục này được GIỮ LẠI khi áp dụng, trừ khi bạn " +
        "chọn xóa bên dưới. Chỉ chọn xóa khi tệp là toàn bộ dữ liệu quốc gia, không phải một phần." }) : null,
      s.removed.length ? codeList(s.removed, (i) => el("li", { text: i.code + " – " + i.name })) : null,
      s.failed_count ? el("h3", { text: "Bản ghi không đọc được" }) : null,
      s.failed_count ? codeList(Object.entries(s.failed), ([code, why]) => el("li", { text: code + ": " + why })) : null,
      s.result ? el("p", { class: "notice", text: "Đã áp dụng bởi " + batch.applied_by + ": thêm " + s.result.added +
        ", cập nhật " + s.result.updated + ", không đổi " + s.result.unchanged + ", xóa " + s.result.removed +
        (s.result.kept_missing ? ", giữ lại " + s.result.kept_missing + " thủ tục không có trong tệp" : "") + "." }) : null,
      error,
      batch.status === "staged" ? el("div", {},
        s.removed.length ? el("label", { class: "inline", for: "remove_missing" }, remove,
          "Xóa " + s.removed.length + " thủ tục không còn trong tệp (chỉ chọn khi tệp là toàn bộ dữ liệu quốc gia)") : null,
        el("div", { class: "actions" },
          el("button", { type: "button", id: "apply", onclick: () => act("apply", { remove_missing: remove.checked },
            "Đã nhập dữ liệu. Thông tin địa phương được giữ nguyên.") }, "Áp dụng"),
          el("button", { type: "button", class: "secondary", onclick: () => act("discard", undefined, "Đã hủy lượt nhập.") }, "Hủy"))) : null,
    ]);
  }

  async function loadHistory() {
    const rows = await api("GET", "/imports");
    const body = clear(document.getElementById("history"));
    const STATUS = { staged: "Đang chờ áp dụng", applied: "Đã áp dụng", discarded: "Đã hủy" };
    for (const b of rows) {
      const s = b.summary;
      const result = s.result ? "thêm " + s.result.added + ", cập nhật " + s.result.updated + ", xóa " + s.result.removed
        : "dự kiến: thêm " + s.added + ", đổi " + s.changed + ", không có trong tệp " + s.removed;
      body.appendChild(el("tr", {},
        el("td", { text: S.fmtDateTime(b.created_at) }),
        el("td", {}, el("a", { href: "/staff/import?batch=" + b.id, text: b.filename })),
        el("td", { text: b.created_by }),
        el("td", { text: STATUS[b.status] || b.status }),
        el("td", { text: result })));
    }
  }

  S.init().then(async () => {
    const date = document.getElementById("source_date");
    date.value = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Ho_Chi_Minh" });
    document.getElementById("upload").addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError("error");
      const file = document.getElementById("file").files[0];
      if (!file) { S.showError("error", new Error("Vui lòng chọn tệp dữ liệu.")); return; }
      const data = new FormData();
      data.append("file", file);
      data.append("source_date", date.value);
      const button = document.getElementById("dry-run");
      button.disabled = true;
      button.textContent = "Đang đọc tệp…";
      try {
        renderPlan(await api("POST", "/imports", data));
        await loadHistory();
      } catch (err) {
        S.showError("error", err);
      } finally {
        button.disabled = false;
        button.textContent = "Chạy thử";
      }
    });
    await loadHistory();
    const batch = S.params().get("batch");
    if (batch) renderPlan(await api("GET", "/imports/" + Number(batch)));
  });
})();
