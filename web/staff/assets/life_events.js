// Life events: list, create, edit the title, the citizens' wordings and the ordered steps, publish /
// unpublish, and try a message. A saved event is used by the assistant from the next message on.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  let current = null; // the event being edited, or null for a new one
  const form = document.getElementById("form");
  const slug = document.getElementById("slug");
  const title = document.getElementById("title");
  const triggers = document.getElementById("triggers");
  const excludes = document.getElementById("excludes");
  const stepsBox = document.getElementById("steps");

  function lines(textarea) { return textarea.value.split("\n").map((l) => l.trim()).filter(Boolean); }

  function stepRow(step) {
    const codes = el("input", { type: "text", class: "codes", value: (step.codes || []).join(", "),
      placeholder: "ví dụ 1.001193 (mã thường dùng trước, cách nhau dấu phẩy)", "aria-label": "Mã thủ tục" });
    const names = el("p", { class: "muted", text: (step.names || []).filter(Boolean).join(" · ") });
    const row = el("li", { class: "step" },
      el("div", { class: "step-head" },
        el("strong", { class: "number" }),
        el("span", {},
          el("button", { type: "button", class: "secondary", title: "Lên", onclick: () => move(row, -1), text: "↑" }), " ",
          el("button", { type: "button", class: "secondary", title: "Xuống", onclick: () => move(row, 1), text: "↓" }), " ",
          el("button", { type: "button", class: "danger", title: "Xóa bước", onclick: () => { row.remove(); renumber(); }, text: "Xóa" }))),
      el("label", { text: "Tên thủ tục (nút bấm)" }),
      el("input", { type: "text", class: "label", value: step.label || "", "aria-label": "Tên thủ tục", oninput: preview }),
      el("label", { text: "Mã thủ tục" }), codes, names,
      el("label", { text: "Nơi làm" }),
      el("input", { type: "text", class: "where", value: step.where || "", placeholder: "ví dụ UBND cấp xã nơi cư trú", "aria-label": "Nơi làm", oninput: preview }),
      el("label", { text: "Điều kiện (không bắt buộc)" }),
      el("input", { type: "text", class: "condition", value: step.condition || "", placeholder: "ví dụ nếu bé dưới 6 tuổi", "aria-label": "Điều kiện", oninput: preview }));
    codes.addEventListener("input", preview);
    return row;
  }

  function move(row, delta) {
    if (delta < 0 && row.previousElementSibling) stepsBox.insertBefore(row, row.previousElementSibling);
    if (delta > 0 && row.nextElementSibling) stepsBox.insertBefore(row.nextElementSibling, row);
    renumber();
  }

  function renumber() {
    let n = 0;
    for (const row of stepsBox.querySelectorAll("li.step")) {
      n += 1;
      row.querySelector(".number").textContent = "Bước " + n;
    }
    preview();
  }

  function steps() {
    return Array.from(stepsBox.querySelectorAll("li.step")).map((row) => ({
      label: row.querySelector(".label").value,
      codes: row.querySelector(".codes").value.split(/[,;\s]+/).map((c) => c.trim()).filter(Boolean),
      where: row.querySelector(".where").value,
      condition: row.querySelector(".condition").value,
    }));
  }

  // The checklist roughly as the citizen gets it (the assistant shortens it past 1,200 characters).
  function preview() {
    const name = title.value.trim();
    const situation = name ? name.charAt(0).toLowerCase() + name.slice(1) : "…";
    const out = ["Khi " + situation + ", bạn cần làm các thủ tục sau, theo thứ tự:"];
    steps().forEach((step, i) => {
      let line = (i + 1) + ". " + step.label.trim();
      if (step.condition.trim()) line += " (" + step.condition.trim() + ")";
      if (step.where.trim()) line += " — " + (step.codes.length ? "nơi làm" : "hỏi tại") + ": " + step.where.trim();
      out.push(line + ".");
    });
    if (steps().some((s) => s.codes.length)) out.push("Bấm vào từng thủ tục để xem giấy tờ, lệ phí và thời gian giải quyết.");
    document.getElementById("preview").textContent = out.join("\n");
  }

  function payload() {
    return { title: title.value, triggers: lines(triggers), excludes: lines(excludes), steps: steps() };
  }

  function show(event) {
    current = event;
    S.hideError("error");
    document.getElementById("form-title").textContent = event ? "Sửa sự kiện “" + event.title + "”" : "Sự kiện mới";
    slug.value = event ? event.slug : "";
    slug.disabled = Boolean(event);
    title.value = event ? event.title : "";
    triggers.value = event ? event.triggers.join("\n") : "";
    excludes.value = event ? event.excludes.join("\n") : "";
    clear(stepsBox);
    for (const step of event ? event.steps : [{}]) stepsBox.appendChild(stepRow(step));
    renumber();
    const status = document.getElementById("status-line");
    status.textContent = event
      ? (event.published ? "Đang dùng" : "Bản nháp (trợ lý không dùng)") + " · mã " + event.slug +
        " · sửa lần cuối bởi " + event.updated_by + " lúc " + S.fmtDateTime(event.updated_at)
      : "";
    document.getElementById("save").textContent = event ? "Lưu thay đổi" : "Lưu bản nháp";
    document.getElementById("save-publish").classList.toggle("hidden", Boolean(event));
    document.getElementById("publish").classList.toggle("hidden", !event || event.published);
    document.getElementById("unpublish").classList.toggle("hidden", !event || !event.published);
    for (const li of document.querySelectorAll("#events li")) {
      li.classList.toggle("selected", Boolean(event) && Number(li.dataset.id) === event.id);
    }
  }

  async function loadList() {
    const q = encodeURIComponent(document.getElementById("q").value);
    const status = document.getElementById("filter").value;
    const events = await api("GET", `/life-events?q=${q}&status=${status}`);
    const list = clear(document.getElementById("events"));
    for (const event of events) {
      list.appendChild(el("li", { dataset: { id: event.id }, class: current && current.id === event.id ? "selected" : null },
        el("button", { type: "button", class: "item", onclick: () => show(event) },
          el("span", { class: "title", text: event.title }),
          el("span", { class: "meta" },
            event.published ? S.badge("Đang dùng", "ok") : S.badge("Bản nháp", "warn"),
            el("span", { class: "muted", text: event.steps.length + " bước · " + event.triggers.length + " cách nói" }),
            el("span", { class: "muted", text: "· " + event.updated_by + ", " + S.fmtDateTime(event.updated_at) })))));
    }
  }

  async function save(publish) {
    S.hideError("error");
    try {
      let event;
      if (current) {
        event = await api("PUT", `/life-events/${current.id}`, { ...payload(), updated_at: current.updated_at });
      } else {
        event = await api("POST", "/life-events", { ...payload(), slug: slug.value, published: publish });
      }
      show(event);
      await loadList();
      S.toast(event.published ? "Đã lưu. Trợ lý dùng sự kiện này ngay từ tin nhắn tiếp theo." : "Đã lưu bản nháp.");
    } catch (err) {
      S.showError("error", err);
    }
  }

  async function setPublished(published) {
    S.hideError("error");
    try {
      const event = await api("POST", `/life-events/${current.id}/${published ? "publish" : "unpublish"}`);
      show(event);
      await loadList();
      S.toast(published ? "Đã dùng: trợ lý nhận sự kiện này từ tin nhắn tiếp theo." : "Đã ngừng: trợ lý không dùng sự kiện này nữa.");
    } catch (err) {
      S.showError("error", err);
    }
  }

  async function tryMessage(domEvent) {
    domEvent.preventDefault();
    const box = document.getElementById("try-result");
    const text = document.getElementById("try").value.trim();
    if (!text) { box.textContent = ""; return; }
    try {
      const found = await api("GET", `/life-events/match?q=${encodeURIComponent(text)}`);
      if (!found.matched) {
        box.textContent = "Không khớp sự kiện nào: trợ lý sẽ tìm thủ tục hoặc câu hỏi thường gặp.";
      } else {
        box.textContent = "Khớp “" + found.title + "” (điểm " + found.score.toFixed(2) + ", cách nói “" + found.trigger + "”)" +
          (found.names_specific ? "\nCâu này còn gọi tên thủ tục “" + found.specific_phrase + "”: trợ lý ưu tiên trả lời thủ tục đó." : "");
      }
    } catch (err) {
      box.textContent = err.message;
    }
  }

  S.init().then(async () => {
    form.addEventListener("submit", (event) => { event.preventDefault(); save(false); });
    document.getElementById("save-publish").addEventListener("click", () => save(true));
    document.getElementById("publish").addEventListener("click", () => setPublished(true));
    document.getElementById("unpublish").addEventListener("click", () => setPublished(false));
    document.getElementById("new").addEventListener("click", () => show(null));
    document.getElementById("add-step").addEventListener("click", () => { stepsBox.appendChild(stepRow({})); renumber(); });
    document.getElementById("filter").addEventListener("change", loadList);
    document.getElementById("try-form").addEventListener("submit", tryMessage);
    let timer = null;
    document.getElementById("q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(loadList, 250); });
    title.addEventListener("input", preview);
    show(null);
    await loadList();
  });
})();
