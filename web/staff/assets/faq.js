// FAQ entries: list, create, edit, publish / unpublish. A published entry is used by the assistant
// from the next message on; the preview shows the answer exactly as the citizen will get it (text).
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  let current = null; // the entry being edited, or null for a new one
  let sourceQuestionId = null;
  const form = document.getElementById("form");
  const questions = document.getElementById("questions");
  const answer = document.getElementById("answer");
  const code = document.getElementById("procedure_code");

  function preview() { document.getElementById("preview").textContent = answer.value; }

  function payload() {
    return {
      questions: questions.value.split("\n").map((q) => q.trim()).filter(Boolean),
      answer: answer.value,
      procedure_code: code.value.trim() || null,
    };
  }

  function show(entry) {
    current = entry;
    S.hideError("error");
    document.getElementById("form-title").textContent = entry ? "Sửa mục #" + entry.id : "Mục mới";
    questions.value = entry ? entry.questions.join("\n") : "";
    answer.value = entry ? entry.answer : "";
    code.value = entry && entry.procedure_code ? entry.procedure_code : "";
    const status = document.getElementById("status-line");
    status.textContent = entry
      ? (entry.published ? "Đã đăng" : "Bản nháp (trợ lý không dùng)") + " · sửa lần cuối bởi " +
        entry.updated_by + " lúc " + S.fmtDateTime(entry.updated_at)
      : "";
    document.getElementById("save").textContent = entry ? "Lưu thay đổi" : "Lưu bản nháp";
    document.getElementById("save-publish").classList.toggle("hidden", Boolean(entry));
    document.getElementById("publish").classList.toggle("hidden", !entry || entry.published);
    document.getElementById("unpublish").classList.toggle("hidden", !entry || !entry.published);
    // Links outside the official sites: a warning from the server, not a refusal.
    const warning = document.getElementById("link-warning");
    const warnings = entry && entry.warnings ? entry.warnings : [];
    warning.textContent = warnings.join(" ");
    warning.hidden = warnings.length === 0;
    preview();
    for (const li of document.querySelectorAll("#entries li")) {
      li.classList.toggle("selected", Boolean(entry) && Number(li.dataset.id) === entry.id);
    }
  }

  async function loadList() {
    const q = encodeURIComponent(document.getElementById("q").value);
    const status = document.getElementById("filter").value;
    const entries = await api("GET", `/faq?q=${q}&status=${status}`);
    const list = clear(document.getElementById("entries"));
    for (const entry of entries) {
      list.appendChild(el("li", { dataset: { id: entry.id }, class: current && current.id === entry.id ? "selected" : null },
        el("button", { type: "button", class: "item", onclick: () => show(entry) },
          el("span", { class: "title", text: entry.questions[0] || "(không có câu hỏi)" }),
          el("span", { class: "meta" },
            entry.published ? S.badge("Đã đăng", "ok") : S.badge("Bản nháp", "warn"),
            el("span", { class: "muted", text: entry.questions.length + " cách hỏi" }),
            entry.procedure_code ? el("span", { class: "muted", text: "· " + entry.procedure_code }) : null,
            el("span", { class: "muted", text: "· " + entry.updated_by + ", " + S.fmtDateTime(entry.updated_at) })))));
    }
  }

  async function save(publish) {
    S.hideError("error");
    try {
      let entry;
      if (current) {
        entry = await api("PUT", `/faq/${current.id}`, { ...payload(), updated_at: current.updated_at });
      } else {
        entry = await api("POST", "/faq", { ...payload(), published: publish, source_question_id: sourceQuestionId });
        sourceQuestionId = null;
        document.getElementById("source-note").hidden = true;
      }
      show(entry);
      await loadList();
      const saved = entry.published ? "Đã lưu. Trợ lý dùng mục này ngay từ tin nhắn tiếp theo." : "Đã lưu bản nháp.";
      if (entry.warnings && entry.warnings.length) S.toast(saved + " Lưu ý: có liên kết ngoài trang chính thức.", "warn");
      else S.toast(saved);
    } catch (err) {
      S.showError("error", err);
    }
  }

  async function setPublished(published) {
    S.hideError("error");
    try {
      const entry = await api("POST", `/faq/${current.id}/${published ? "publish" : "unpublish"}`);
      show(entry);
      await loadList();
      S.toast(published ? "Đã đăng: trợ lý dùng mục này từ tin nhắn tiếp theo." : "Đã gỡ: trợ lý không dùng mục này nữa.");
    } catch (err) {
      S.showError("error", err);
    }
  }

  // "Tạo câu hỏi thường gặp" from the inbox: the citizen's words become the first question.
  async function prefillFromInbox() {
    const params = S.params();
    const note = document.getElementById("source-note");
    if (params.get("from_question")) {
      const item = await api("GET", `/inbox/questions/${Number(params.get("from_question"))}`);
      sourceQuestionId = item.id;
      show(null);
      questions.value = item.text;
      const last = item.replies[item.replies.length - 1];
      answer.value = last ? last.message : "";
      note.textContent = "Tạo từ câu hỏi #" + item.id + " trong hộp thư; câu hỏi sẽ được đóng khi lưu.";
      note.hidden = false;
    } else if (params.get("from_ticket")) {
      const item = await api("GET", `/inbox/tickets/${Number(params.get("from_ticket"))}`);
      show(null);
      questions.value = item.text.split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2)).join("\n");
      const last = item.replies[item.replies.length - 1];
      answer.value = last ? last.message : "";
      note.textContent = "Tạo từ yêu cầu gặp cán bộ #" + item.id + ".";
      note.hidden = false;
    }
    preview();
  }

  S.init().then(async () => {
    form.addEventListener("submit", (event) => { event.preventDefault(); save(false); });
    document.getElementById("save-publish").addEventListener("click", () => save(true));
    document.getElementById("publish").addEventListener("click", () => setPublished(true));
    document.getElementById("unpublish").addEventListener("click", () => setPublished(false));
    document.getElementById("new").addEventListener("click", () => show(null));
    document.getElementById("filter").addEventListener("change", loadList);
    let timer = null;
    document.getElementById("q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(loadList, 250); });
    answer.addEventListener("input", preview);
    show(null);
    await loadList();
    await prefillFromInbox();
  });
})();
