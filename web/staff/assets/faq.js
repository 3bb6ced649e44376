// FAQ entries: list, create, edit, publish / unpublish; near-duplicate warnings; the "thử câu hỏi" box
// (what the assistant answers now, and after the edit in the form, never published to try); the
// history of an entry with restore. A published entry is used by the assistant from the next message
// on; the preview shows the answer exactly as the citizen will get it (text).
// From the inbox (?from_question=ID or ?from_ticket=ID, &return=<inbox URL>): the citizen's words are
// shown and kept as a way of asking, the title is left to the officer, and saving goes back to the
// inbox with &after=ID so the next item opens.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  let current = null; // the entry being edited, or null for a new one
  let sourceQuestionId = null;
  let fromInbox = null; // {kind, id} when the entry is made from an inbox item
  const form = document.getElementById("form");
  const title = document.getElementById("title");
  const questions = document.getElementById("questions");
  const answer = document.getElementById("answer");
  const code = document.getElementById("procedure_code");
  const tryInput = document.getElementById("try-q");

  function preview() { document.getElementById("preview").textContent = answer.value; }

  function lines(text) { return text.split("\n").map((q) => q.trim()).filter(Boolean); }

  // The title is the first question; without one, the first line of the other ways of asking is.
  function allQuestions() {
    const others = lines(questions.value);
    const main = title.value.trim();
    return main ? [main, ...others.filter((q) => q !== main)] : others;
  }

  function payload() {
    return { questions: allQuestions(), answer: answer.value, procedure_code: code.value.trim() || null };
  }

  // A dialog asking to confirm (the page's own, with Vietnamese buttons); resolves true or false.
  function confirmDialog(message, okLabel) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = message;
    const ok = document.getElementById("confirm-ok");
    const cancel = document.getElementById("confirm-cancel");
    ok.textContent = okLabel || "Đồng ý";
    return new Promise((resolve) => {
      const done = (value) => {
        ok.onclick = null; cancel.onclick = null; dialog.oncancel = null;
        if (dialog.open) dialog.close();
        resolve(value);
      };
      ok.onclick = () => done(true);
      cancel.onclick = () => done(false);
      dialog.oncancel = () => done(false);
      dialog.showModal();
    });
  }

  function show(entry) {
    current = entry;
    S.hideError("error");
    document.getElementById("form-title").textContent = entry ? "Sửa mục #" + entry.id : "Mục mới";
    title.value = entry && entry.questions.length ? entry.questions[0] : "";
    questions.value = entry ? entry.questions.slice(1).join("\n") : "";
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
    showSimilar([]);
    document.getElementById("try-result").hidden = true;
    loadHistory();
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

  // --- Near-duplicates ----------------------------------------------------------------------------

  function showSimilar(items) {
    const box = clear(document.getElementById("similar"));
    box.hidden = items.length === 0;
    if (!items.length) return;
    box.appendChild(el("strong", { text: "Có thể trùng với mục đã có:" }));
    const list = el("ul", {});
    for (const item of items) {
      list.appendChild(el("li", {},
        el("a", { href: "/staff/faq?id=" + item.id, target: "_blank", rel: "noopener", class: "similar-link" },
          "#" + item.id + " " + item.title),
        " ", item.published ? S.badge("Đã đăng", "ok") : S.badge("Bản nháp", "warn"),
        el("span", { class: "muted", text: " · “" + item.your_question + "” gần với “" + item.their_question +
          "” (giống " + Math.round(item.score * 100) + " %)" })));
    }
    box.appendChild(list);
    box.appendChild(el("span", { class: "muted",
      text: "Nếu cùng một câu hỏi, hãy thêm cách hỏi vào mục đó thay vì tạo mục mới." }));
  }

  let similarTimer = null;
  function checkSimilar() {
    clearTimeout(similarTimer);
    similarTimer = setTimeout(async () => {
      const asked = allQuestions();
      if (!asked.length) { showSimilar([]); return; }
      try {
        showSimilar(await api("POST", "/faq/similar", { questions: asked, faq_id: current ? current.id : null }));
      } catch (_err) { /* a warning only: the save itself reports errors */ }
    }, 500);
  }

  // --- Thử câu hỏi ---------------------------------------------------------------------------------

  const KIND_BADGES = {
    faq: ["Câu hỏi thường gặp", "ok"], procedure: ["Thủ tục", "ok"], choice: ["Hỏi lại", "warn"],
    not_covered: ["Không có trong dữ liệu", "warn"], none: ["Chưa có câu trả lời", "bad"], fixed: ["Câu cố định", ""],
  };

  function verdictBlock(heading, verdict) {
    const box = [el("h4", { text: heading })];
    if (!verdict) {
      box.push(el("p", { class: "muted", text: "Bản đang soạn chưa có cách hỏi nào để thử." }));
      return box;
    }
    const [label, kind] = KIND_BADGES[verdict.kind] || ["", ""];
    box.push(el("p", { class: "verdict", dataset: { kind: verdict.kind, faqId: verdict.faq_id || "", code: verdict.procedure_code || "" } },
      S.badge(label, kind), " ", verdict.summary));
    if (verdict.kind === "faq") {
      const name = verdict.this_entry ? (current ? "Mục đang sửa" : "Mục đang soạn (chưa lưu)") : "Mục #" + verdict.faq_id;
      box.push(el("p", {},
        verdict.faq_id && !verdict.this_entry
          ? el("a", { href: "/staff/faq?id=" + verdict.faq_id, target: "_blank", rel: "noopener" }, name)
          : el("strong", { text: name }),
        verdict.faq_question && !verdict.this_entry ? ": " + verdict.faq_question : ""));
    }
    if (verdict.kind === "procedure") {
      box.push(el("p", {}, el("strong", { text: verdict.procedure_code }), " " + verdict.procedure_name));
    }
    if (verdict.candidates && verdict.candidates.length) {
      box.push(el("p", { class: "muted", text: "Gợi ý: " + verdict.candidates.map((c) => c.name || c.code).join("; ") }));
    }
    if (verdict.text) box.push(el("div", { class: "bubble bot text", text: verdict.text }));
    return box;
  }

  async function tryQuestion() {
    S.hideError("try-error");
    const question = tryInput.value.trim();
    if (!question) {
      S.showError("try-error", new Error("Hãy gõ một câu hỏi để thử."));
      return;
    }
    const asked = allQuestions();
    const body = { question, faq_id: current ? current.id : null };
    if (asked.length) body.draft = payload();
    const button = document.getElementById("try-run");
    button.disabled = true;
    try {
      const result = await api("POST", "/faq/try", body);
      document.getElementById("try-understood").textContent =
        result.understood ? "Trợ lý hiểu là: " + result.understood : "";
      document.getElementById("try-approx").hidden = !result.approximate;
      S.append(clear(document.getElementById("try-before")), verdictBlock("Hiện nay (nội dung đã lưu)", result.before));
      S.append(clear(document.getElementById("try-after")),
        verdictBlock("Sau khi lưu và đăng bản đang soạn", asked.length ? result.after : null));
      document.getElementById("try-result").hidden = false;
    } catch (err) {
      S.showError("try-error", err);
    } finally {
      button.disabled = false;
    }
  }

  // --- History --------------------------------------------------------------------------------------

  async function loadHistory() {
    const block = document.getElementById("history-block");
    const view = document.getElementById("version-view");
    view.hidden = true;
    if (!current) { block.hidden = true; return; }
    const entryId = current.id;
    let versions;
    try {
      versions = await api("GET", `/faq/${entryId}/versions`);
    } catch (_err) { block.hidden = true; return; }
    if (!current || current.id !== entryId) return; // another entry was opened meanwhile
    const list = clear(document.getElementById("history"));
    block.hidden = versions.length === 0;
    for (const v of versions) {
      list.appendChild(el("li", { dataset: { version: v.version } },
        el("span", { class: "title", text: "Phiên bản " + v.version + " · " + v.action_label +
          (v.restored_from ? " (từ phiên bản " + v.restored_from + ")" : "") }),
        el("span", { class: "muted", text: " " + v.saved_by + ", " + S.fmtDateTime(v.saved_at) + " · " +
          (v.published ? "đã đăng" : "bản nháp") + (v.current ? " · đang dùng" : "") }),
        " ",
        el("button", { type: "button", class: "secondary small", onclick: () => viewVersion(v.version) }, "Xem"),
        v.current ? null : el("button", { type: "button", class: "secondary small", onclick: () => restore(v.version) }, "Khôi phục")));
    }
  }

  async function viewVersion(number) {
    const view = document.getElementById("version-view");
    try {
      const v = await api("GET", `/faq/${current.id}/versions/${number}`);
      S.append(clear(view), [
        el("h4", { text: "Phiên bản " + v.version + " · " + v.action_label + " · " + v.saved_by + ", " + S.fmtDateTime(v.saved_at) }),
        el("p", {}, el("strong", { text: "Các cách hỏi: " }), v.questions.join(" | ")),
        el("div", { class: "bubble bot text", text: v.answer }),
        v.procedure_code ? el("p", { class: "muted", text: "Thủ tục: " + v.procedure_code + " " + v.procedure_name }) : null,
      ]);
      view.hidden = false;
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  async function restore(number) {
    const state = current.published ? "Mục đang đăng: trợ lý dùng nội dung khôi phục từ tin nhắn tiếp theo."
      : "Mục vẫn là bản nháp.";
    if (!await confirmDialog("Khôi phục các cách hỏi, câu trả lời và thủ tục của phiên bản " + number +
      "? Nội dung hiện tại vẫn được giữ trong lịch sử. " + state, "Khôi phục")) return;
    try {
      const entry = await api("POST", `/faq/${current.id}/versions/${number}/restore`, { updated_at: current.updated_at });
      show(entry);
      await loadList();
      S.toast("Đã khôi phục phiên bản " + number + ".");
    } catch (err) {
      S.showError("error", err);
    }
  }

  // --- Saving -----------------------------------------------------------------------------------------

  // Where the officer came from: a staff page of this site (the inbox with its filters, the dashboard),
  // never another site; the inbox by default.
  function returnTarget() {
    const raw = S.params().get("return") || "";
    return /^\/staff\/[a-z_]/.test(raw) ? raw : "/staff/inbox";
  }

  // Back there, at the item after this one (the inbox opens the next open item after `after`).
  function inboxReturn(afterId) {
    const target = returnTarget();
    return target + (target.includes("?") ? "&" : "?") + "after=" + encodeURIComponent(afterId);
  }

  // The server refuses a title without diacritics; from the inbox, an empty title is refused here first
  // (the citizen's words would otherwise become it).
  function titleProblem() {
    const main = title.value.trim();
    if (fromInbox && !main) {
      return "Hãy đặt tiêu đề cho mục (câu hỏi chính, tiếng Việt có dấu). Câu của người dân đã được giữ làm một cách hỏi khác.";
    }
    return "";
  }

  async function save(publish) {
    S.hideError("error");
    const problem = titleProblem();
    if (problem) {
      title.setAttribute("aria-invalid", "true");
      S.showError("error", new Error(problem));
      title.focus();
      return;
    }
    try {
      let entry;
      if (current) {
        entry = await api("PUT", `/faq/${current.id}`, { ...payload(), updated_at: current.updated_at });
      } else {
        entry = await api("POST", "/faq", { ...payload(), published: publish, source_question_id: sourceQuestionId });
        sourceQuestionId = null;
        document.getElementById("source-note").hidden = true;
      }
      if (fromInbox) {
        // Back to the inbox, its filters kept, at the item after this one.
        location.assign(inboxReturn(fromInbox.id));
        return;
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

  // --- From the inbox -------------------------------------------------------------------------------

  function citizenWords(text) {
    const box = document.getElementById("citizen-words");
    box.textContent = "Người dân hỏi: “" + text + "”";
    box.hidden = false;
  }

  // "Tạo câu hỏi thường gặp" from the inbox: the citizen's words are a way of asking and the question
  // to try, never the title (often typed without diacritics); the officer writes the title.
  async function prefillFromInbox() {
    const params = S.params();
    const note = document.getElementById("source-note");
    if (params.get("from_question")) {
      const item = await api("GET", `/inbox/questions/${Number(params.get("from_question"))}`);
      sourceQuestionId = item.id;
      fromInbox = { kind: "question", id: item.id };
      show(null);
      questions.value = item.text;
      citizenWords(item.text);
      tryInput.value = item.text;
      const last = item.replies[item.replies.length - 1];
      answer.value = last ? last.message : "";
      note.textContent = "Tạo từ câu hỏi #" + item.id + " trong hộp thư; câu hỏi sẽ được đóng khi lưu, rồi quay lại hộp thư.";
      note.hidden = false;
    } else if (params.get("from_ticket")) {
      const item = await api("GET", `/inbox/tickets/${Number(params.get("from_ticket"))}`);
      fromInbox = { kind: "ticket", id: item.id };
      show(null);
      const asked = item.text.split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2));
      questions.value = asked.join("\n");
      if (asked.length) { citizenWords(asked.join(" / ")); tryInput.value = asked[0]; }
      const last = item.replies[item.replies.length - 1];
      answer.value = last ? last.message : "";
      note.textContent = "Tạo từ yêu cầu gặp cán bộ #" + item.id + "; lưu xong sẽ quay lại hộp thư.";
      note.hidden = false;
    } else {
      return;
    }
    const back = document.getElementById("back-inbox");
    back.setAttribute("href", returnTarget());
    if (!returnTarget().startsWith("/staff/inbox")) back.textContent = "Quay lại";
    back.hidden = false;
    preview();
    checkSimilar();
    if (tryInput.value) await tryQuestion();
    title.focus();
  }

  async function openFromAddress() {
    const id = Number(S.params().get("id"));
    if (!id) return;
    try {
      show(await api("GET", `/faq/${id}`));
    } catch (err) {
      S.showError("error", err);
    }
  }

  S.init().then(async () => {
    form.addEventListener("submit", (event) => { event.preventDefault(); save(false); });
    document.getElementById("save-publish").addEventListener("click", () => save(true));
    document.getElementById("publish").addEventListener("click", () => setPublished(true));
    document.getElementById("unpublish").addEventListener("click", () => setPublished(false));
    document.getElementById("new").addEventListener("click", () => show(null));
    document.getElementById("filter").addEventListener("change", loadList);
    document.getElementById("try-form").addEventListener("submit", (event) => { event.preventDefault(); tryQuestion(); });
    let timer = null;
    document.getElementById("q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(loadList, 250); });
    answer.addEventListener("input", preview);
    title.addEventListener("input", checkSimilar);
    questions.addEventListener("input", checkSimilar);
    show(null);
    await loadList();
    await openFromAddress();
    await prefillFromInbox();
  });
})();
