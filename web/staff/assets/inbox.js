// Inbox: handoff tickets (waiting, to call back), the questions the assistant could not answer
// (grouped by what they ask, searchable, paged, dismissed in bulk) and the noise set aside. The page
// refreshes itself: it polls a small counts endpoint every few seconds, reloads the ticket list when a
// ticket comes or goes, and (once the officer turns it on) rings and shows a browser notification
// when a citizen asks for a person.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const POLL_MS = 4000;
  const PAGE_SIZE = 20;
  const ALERTS_KEY = "tthc-inbox-alerts";

  const state = {
    view: "tickets",
    offset: 0,
    search: "",
    selected: null, // { kind, id }
    group: null, // the group of the selected question, if any
    counts: null,
    clockSkew: 0, // server time - this computer's time (ms)
    checked: new Set(), // ids of the questions ticked for "Bỏ qua"
    groupIds: new Map(), // leader id -> ids of the group's questions (current page)
    seenTicket: null, // the newest ticket id the page has shown
    alerts: localStorage.getItem(ALERTS_KEY) === "on",
    audio: null,
  };

  // ---- Waiting times ---------------------------------------------------------------------------

  function fmtWait(seconds) {
    const minutes = Math.floor(Math.max(0, seconds) / 60);
    if (minutes < 1) return "dưới 1 phút";
    if (minutes < 60) return minutes + " phút";
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + " giờ" + (minutes % 60 ? " " + (minutes % 60) + " phút" : "");
    return Math.floor(hours / 24) + " ngày";
  }

  function secondsSince(iso) {
    return (Date.now() + state.clockSkew - new Date(iso).getTime()) / 1000;
  }

  function waitText(item) {
    if (item.bucket === "waiting") return "Đã chờ " + fmtWait(secondsSince(item.created_at));
    if (item.bucket === "taken") return "Yêu cầu cách đây " + fmtWait(secondsSince(item.created_at));
    if (item.bucket === "callback") return "Hỏi cách đây " + fmtWait(secondsSince(item.created_at));
    return "Chờ " + fmtWait(item.waited_seconds);
  }

  function refreshWaits() {
    for (const span of document.querySelectorAll("#items [data-waited]")) {
      span.textContent = waitText(JSON.parse(span.dataset.waited));
    }
  }

  // ---- Lists -----------------------------------------------------------------------------------

  function ticketButton(item) {
    const first = (item.text || "").split("\n").find((line) => line.startsWith("- ")) || item.text || "";
    const kinds = { waiting: "warn", taken: "", callback: "bad", done: "ok" };
    return el("button", { type: "button", class: "item", onclick: () => select("ticket", item.id) },
      el("span", { class: "title", text: first.replace(/^- /, "").slice(0, 200) }),
      el("span", { class: "meta" },
        S.badge(item.bucket_label, kinds[item.bucket] || ""),
        el("span", { class: "muted", text: item.channel_label }),
        el("span", { class: "muted waited", text: waitText(item),
          dataset: { waited: JSON.stringify({ bucket: item.bucket, created_at: item.created_at,
            waited_seconds: item.waited_seconds }) } }),
        item.claimed_by ? el("span", { class: "muted", text: "· " + item.claimed_by }) : null,
        el("span", { class: "muted", text: item.reason_label })));
  }

  function questionButton(item) {
    return el("button", { type: "button", class: "item", onclick: () => select("question", item.id) },
      el("span", { class: "title", text: (item.text || "").slice(0, 200) }),
      el("span", { class: "meta" },
        S.badge("Câu hỏi", "question"),
        S.badge(item.status_label, item.open ? "warn" : "ok"),
        el("span", { class: "muted", text: item.channel_label }),
        el("span", { class: "muted", text: S.fmtDateTime(item.created_at) })));
  }

  function groupRow(group, noise) {
    state.groupIds.set(group.id, group.ids);
    const box = el("input", { type: "checkbox", class: "pick", "aria-label": "Chọn để bỏ qua",
      onchange: (event) => {
        for (const id of group.ids) {
          if (event.target.checked) state.checked.add(id); else state.checked.delete(id);
        }
        updateBulk();
      } });
    box.checked = group.ids.every((id) => state.checked.has(id));
    const variants = group.variants.length ? el("details", { class: "variants" },
      el("summary", { text: "Cách hỏi khác (" + group.variants.length + ")" }),
      el("ul", {}, group.variants.map((text) => el("li", { class: "clip", text: text.slice(0, 200) })))) : null;
    const select_ = () => { state.group = group; select("question", group.id); };
    return el("li", { class: "group", dataset: { kind: "question", id: group.id, count: group.count } },
      box,
      el("div", { class: "group-body" },
        el("button", { type: "button", class: "item", onclick: select_ },
          el("span", { class: "title", text: group.text.slice(0, 200) }),
          el("span", { class: "meta" },
            noise ? S.badge(group.noise_label, "") :
              S.badge(group.count > 1 ? "Hỏi " + group.count + " lần" : "Hỏi 1 lần",
                group.count > 1 ? "many" : "question"),
            el("span", { class: "muted", text: group.channels.join(", ") }),
            el("span", { class: "muted", text: "lần cuối " + S.fmtDateTime(group.last_at) }),
            noise ? null : el("span", { class: "muted", text: group.reason_label }))),
        variants));
  }

  function updateBulk() {
    const button = document.getElementById("dismiss-selected");
    const n = state.checked.size;
    button.disabled = n === 0;
    button.textContent = n ? "Bỏ qua " + n + " câu hỏi đã chọn" : "Bỏ qua mục đã chọn";
    const boxes = [...document.querySelectorAll("#items input.pick")];
    document.getElementById("select-page").checked = boxes.length > 0 && boxes.every((b) => b.checked);
  }

  function showPager(total, shown) {
    const pager = document.getElementById("pager");
    const pages = total === null ? null : Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.floor(state.offset / PAGE_SIZE) + 1;
    pager.hidden = state.offset === 0 && (total === null ? shown < PAGE_SIZE : pages <= 1);
    document.getElementById("page-info").textContent = pages ? `Trang ${page}/${pages}` : `Trang ${page}`;
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = total === null ? shown < PAGE_SIZE : page >= pages;
  }

  function markSelected() {
    for (const li of document.querySelectorAll("#items li")) {
      li.classList.toggle("selected", !!state.selected && li.dataset.kind === state.selected.kind &&
        Number(li.dataset.id) === state.selected.id);
    }
  }

  async function load() {
    const view = state.view;
    const list = document.getElementById("items");
    const note = document.getElementById("view-note");
    document.getElementById("question-tools").hidden = !(view === "questions" || view === "noise");
    document.getElementById("fresh").hidden = true;
    note.hidden = true;
    let count = 0;
    if (view === "questions" || view === "noise") {
      const params = new URLSearchParams({ status: view === "noise" ? "noise" : "open",
        q: state.search, limit: PAGE_SIZE, offset: state.offset });
      const data = await api("GET", "/inbox/question-groups?" + params);
      if (state.view !== view) return;
      clear(list);
      state.groupIds.clear();
      for (const group of data.groups) list.appendChild(groupRow(group, view === "noise"));
      count = data.groups.length;
      setTabCount("noise", data.noise_count);
      showPager(data.total_groups, count);
      if (view === "questions") {
        note.textContent = `${data.total_questions} câu hỏi, gộp thành ${data.total_groups} nhóm cùng nội dung` +
          " (hỏi nhiều lần nhất lên đầu)." + (data.noise_count ? ` ${data.noise_count} tin nhắn vô nghĩa để riêng ở` +
          " mục “Tin nhắn vô nghĩa”." : "");
      } else {
        note.textContent = "Tin nhắn không thành câu hỏi (chỉ ký hiệu, biểu tượng cảm xúc, chữ vô nghĩa): " +
          "chọn cả trang rồi bấm “Bỏ qua” để dọn.";
      }
      note.hidden = false;
      updateBulk();
    } else {
      const query = { tickets: "kind=ticket&status=open", callback: "kind=ticket&status=callback",
        done: "kind=all&status=done" }[view];
      const data = await api("GET", `/inbox?${query}&limit=${PAGE_SIZE}&offset=${state.offset}`);
      if (state.view !== view) return;
      showCounts(data.counts);
      S.showInboxCount(data.counts); // the menu and the title follow at once after an action
      clear(list);
      for (const item of data.items) {
        list.appendChild(el("li", { dataset: { kind: item.kind, id: item.id } },
          item.kind === "ticket" ? ticketButton(item) : questionButton(item)));
      }
      count = data.items.length;
      showPager(view === "tickets" ? data.counts.tickets_open : view === "callback" ?
        data.counts.tickets_callback : null, count);
      if (view === "callback" && count) {
        note.textContent = "Những người dân này đã yêu cầu gặp cán bộ nhưng chưa ai nhận kịp (trợ lý đã trả lời " +
          "thay). Hãy nhắn lại hoặc gọi điện cho họ, rồi bấm “Đã liên hệ lại”.";
        note.hidden = false;
      }
    }
    document.getElementById("empty").hidden = count > 0;
    markSelected();
  }

  // ---- Counts, live refresh, alerts -------------------------------------------------------------

  function setTabCount(name, n) {
    const span = document.getElementById("tab-count-" + name);
    if (span) span.textContent = n ? "(" + n + ")" : "";
  }

  function showCounts(counts) {
    state.clockSkew = new Date(counts.now).getTime() - Date.now();
    document.getElementById("count-tickets").textContent = counts.tickets_waiting;
    document.getElementById("count-callback").textContent = counts.tickets_callback;
    document.getElementById("count-questions").textContent = counts.questions_open;
    setTabCount("tickets", counts.tickets_open);
    setTabCount("callback", counts.tickets_callback);
    setTabCount("questions", counts.questions_open);
  }

  async function onCounts(counts) {
    const before = state.counts;
    state.counts = counts;
    showCounts(counts);
    refreshWaits();
    if (!before) { state.seenTicket = counts.latest_ticket_id; return; }
    const newTicket = counts.latest_ticket_id > (state.seenTicket || 0);
    if (newTicket) {
      state.seenTicket = counts.latest_ticket_id;
      if (counts.tickets_waiting > 0) ring(counts);
    }
    const ticketsChanged = ["tickets_waiting", "tickets_taken", "tickets_callback", "latest_ticket_id"]
      .some((key) => before[key] !== counts[key]);
    if (ticketsChanged && (state.view === "tickets" || state.view === "callback")) {
      await load();
    } else if (before.questions_open !== counts.questions_open &&
      (state.view === "questions" || state.view === "noise")) {
      // Not reloaded under the officer's eyes (groups move): offered instead.
      const diff = counts.questions_open - before.questions_open;
      document.getElementById("fresh-text").textContent = diff > 0 ?
        `Có ${diff} câu hỏi mới.` : "Danh sách câu hỏi đã thay đổi.";
      document.getElementById("fresh").hidden = false;
    }
  }

  function beep() {
    if (!state.audio) return;
    const ctx = state.audio;
    if (ctx.state === "suspended") ctx.resume();
    for (const [start, freq] of [[0, 880], [0.25, 1175]]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, ctx.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + start + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + start);
      osc.stop(ctx.currentTime + start + 0.22);
    }
  }

  function ring(counts) {
    const text = `${counts.tickets_waiting} yêu cầu gặp cán bộ đang chờ`;
    S.toast("Có người dân cần gặp cán bộ: " + text + ".", "warn");
    if (!state.alerts) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
      const note = new Notification("Có người dân cần gặp cán bộ", { body: "Hộp thư: " + text, tag: "tthc-inbox" });
      note.onclick = () => { window.focus(); note.close(); };
    }
  }

  function showAlertsButton() {
    const button = document.getElementById("alerts-toggle");
    button.setAttribute("aria-pressed", state.alerts ? "true" : "false");
    button.textContent = state.alerts ? "Chuông và thông báo: đang bật (bấm để tắt)" : "Bật chuông và thông báo";
  }

  async function toggleAlerts() {
    state.alerts = !state.alerts;
    localStorage.setItem(ALERTS_KEY, state.alerts ? "on" : "off");
    if (state.alerts) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx && !state.audio) state.audio = new Ctx(); // made on a click: browsers allow sound then
      if ("Notification" in window && Notification.permission === "default") {
        try { await Notification.requestPermission(); } catch (_err) { /* sound still rings */ }
      }
      beep();
      S.toast("Đã bật chuông. Khi có người dân cần gặp cán bộ, trang sẽ đổ chuông" +
        ("Notification" in window && Notification.permission === "granted" ? " và hiện thông báo." : "."));
    }
    showAlertsButton();
  }

  // ---- Detail ----------------------------------------------------------------------------------

  function timelineBlock(detail) {
    const box = el("div", { class: "conversation", id: "timeline", "aria-label": "Cuộc trò chuyện" });
    for (const message of detail.timeline || []) {
      box.appendChild(el("div", { class: "bubble " + message.sender },
        el("span", { class: "when", text: message.who + (message.at ? " · " + S.fmtDateTime(message.at) : "") }),
        message.text));
    }
    if (!box.childNodes.length) {
      box.appendChild(el("p", { class: "muted", text: "Chưa có tin nhắn nào để hiển thị." }));
    }
    return el("div", {}, el("h3", { text: "Cuộc trò chuyện" }),
      detail.conversation_error ? el("p", { class: "muted", text: detail.conversation_error }) : null, box);
  }

  function render(detail, delivered) {
    const box = clear(document.getElementById("detail"));
    const isTicket = detail.kind === "ticket";
    const base = isTicket ? `/inbox/tickets/${detail.id}` : `/inbox/questions/${detail.id}`;
    const error = el("div", { class: "error", id: "detail-error", hidden: true });
    const reply = el("textarea", { id: "reply", name: "message", rows: 4,
      placeholder: "Nội dung gửi cho người dân qua " + detail.channel_label });
    const group = !isTicket && state.group && state.group.id === detail.id && state.group.count > 1 ?
      state.group : null;

    async function act(method, path, body, done) {
      S.hideError(error);
      try {
        const updated = await api(method, path, body);
        const sent = path.endsWith("/reply");
        if (updated && updated.kind) render(updated, sent ? updated.delivery_note : null);
        await load();
        S.toast(sent ? updated.delivery_note : done);
      } catch (err) {
        S.showError(error, err);
      }
    }

    async function dismissGroup() {
      S.hideError(error);
      try {
        const result = await api("POST", "/inbox/questions/dismiss", { ids: group.ids });
        state.group = null;
        for (const id of group.ids) state.checked.delete(id);
        render(await api("GET", base));
        await load();
        S.toast(`Đã bỏ qua ${result.dismissed} câu hỏi cùng nội dung.`);
      } catch (err) {
        S.showError(error, err);
      }
    }

    const heading = isTicket ? "Yêu cầu gặp cán bộ #" + detail.id : "Câu hỏi #" + detail.id;
    const when = isTicket && detail.open ? waitText(detail) : S.fmtDateTime(detail.created_at);
    S.append(box, [
      el("h2", { text: heading }),
      el("p", { class: "meta" },
        S.badge(detail.status_label, detail.open ? (detail.bucket === "callback" ? "bad" : "warn") : "ok"), " ",
        el("span", { class: "muted", text: [detail.reason_label, detail.channel_label, when].join(" · ") })),
      isTicket && detail.claimed_by ? el("p", { class: "muted", text: "Người xử lý: " + detail.claimed_by }) : null,
      group ? el("p", { class: "notice", id: "group-note",
        text: `Câu hỏi này được hỏi ${group.count} lần (các cách hỏi tương tự được gộp lại).` }) : null,
      el("h3", { text: isTicket ? "Tóm tắt" : "Câu hỏi của người dân" }),
      el("div", { class: "text card clip-box", id: "item-text", text: detail.text }),
      timelineBlock(detail),
      el("label", { for: "reply", text: "Trả lời người dân" }),
      reply,
      delivered ? el("p", { class: "notice", id: "delivery-note", text: delivered }) : null,
      error,
      el("div", { class: "actions" },
        el("button", { type: "button", id: "send-reply", onclick: () => act("POST", base + "/reply",
          { message: reply.value }) }, "Gửi cho người dân"),
        isTicket && detail.bucket === "waiting" ? el("button", { type: "button", class: "secondary", id: "claim",
          onclick: () => act("POST", base + "/claim", undefined, "Bạn đã nhận xử lý yêu cầu này.") },
          "Nhận xử lý") : null,
        isTicket && detail.bucket === "taken" ? el("button", { type: "button", class: "secondary", id: "release",
          onclick: () => act("POST", base + "/release", undefined, "Đã trả cuộc trò chuyện cho trợ lý.") },
          "Trả lại cho trợ lý") : null,
        isTicket && detail.bucket === "callback" ? el("button", { type: "button", class: "secondary", id: "release",
          onclick: () => act("POST", base + "/release", undefined, "Đã ghi nhận: yêu cầu đã được liên hệ lại.") },
          "Đã liên hệ lại") : null,
        !isTicket && detail.open ? el("button", { type: "button", class: "secondary", id: "dismiss",
          onclick: () => act("POST", base + "/dismiss", undefined, "Đã bỏ qua câu hỏi.") }, "Bỏ qua") : null,
        group && detail.open ? el("button", { type: "button", class: "secondary", id: "dismiss-group",
          onclick: dismissGroup }, `Bỏ qua cả nhóm (${group.count} câu hỏi)`) : null,
        el("a", { href: `/staff/faq?from_${detail.kind}=${detail.id}&return=${encodeURIComponent(hereUrl())}`,
          id: "to-faq" },
          "Tạo câu hỏi thường gặp")),
    ]);
    // The conversation opens at its newest message.
    const timeline = document.getElementById("timeline");
    timeline.scrollTop = timeline.scrollHeight;
  }

  // This view of the inbox as an address (the FAQ page comes back to it, with `after`, after saving).
  function hereUrl() {
    const params = new URLSearchParams({ view: state.view });
    if (state.search) params.set("q", state.search);
    if (state.offset) params.set("offset", String(state.offset));
    return "/staff/inbox?" + params;
  }

  // The view an address asks for: `view`, or the `kind`/`status` filters the dashboard links use.
  function viewFromAddress(open) {
    const view = open.get("view");
    if (view) return view;
    const kind = open.get("kind");
    const status = open.get("status");
    if (status === "callback") return "callback";
    if (status === "done") return "done";
    if (kind === "question") return status === "noise" ? "noise" : "questions";
    return "tickets";
  }

  // Back from the FAQ page after saving: open the next item of the same view (the one just handled
  // has left the open list, or is skipped).
  async function openNext(afterId) {
    const next = [...document.querySelectorAll("#items > li")].find((li) => Number(li.dataset.id) !== afterId);
    if (!next) {
      S.toast("Đã lưu. Không còn mục nào trong danh sách này.");
      return;
    }
    const button = next.querySelector("button.item") || next.querySelector("button");
    if (button) button.click();
    else await select(next.dataset.kind, Number(next.dataset.id));
    S.toast("Đã lưu. Đang mở mục tiếp theo.");
  }

  async function select(kind, id) {
    state.selected = { kind, id };
    if (kind !== "question") state.group = null;
    markSelected();
    const path = kind === "ticket" ? `/inbox/tickets/${id}` : `/inbox/questions/${id}`;
    try {
      render(await api("GET", path));
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  // ---- Wiring ----------------------------------------------------------------------------------

  async function switchView(view, offset = 0) {
    state.view = view;
    state.offset = offset;
    state.checked.clear();
    for (const tab of document.querySelectorAll(".inbox-tabs [role=tab]")) {
      tab.setAttribute("aria-selected", tab.dataset.view === view ? "true" : "false");
    }
    await load();
  }

  async function dismissChecked() {
    const ids = [...state.checked];
    if (!ids.length) return;
    try {
      const result = await api("POST", "/inbox/questions/dismiss", { ids });
      state.checked.clear();
      await load();
      S.toast(`Đã bỏ qua ${result.dismissed} câu hỏi.`);
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  S.init().then(async () => {
    for (const tab of document.querySelectorAll(".inbox-tabs [role=tab]")) {
      tab.addEventListener("click", () => switchView(tab.dataset.view));
    }
    document.getElementById("question-tools").addEventListener("submit", (event) => {
      event.preventDefault();
      state.search = document.getElementById("q").value.trim();
      state.offset = 0;
      state.checked.clear();
      load().catch((err) => S.toast(err.message, "bad"));
    });
    document.getElementById("select-page").addEventListener("change", (event) => {
      for (const ids of state.groupIds.values()) {
        for (const id of ids) {
          if (event.target.checked) state.checked.add(id); else state.checked.delete(id);
        }
      }
      for (const box of document.querySelectorAll("#items input.pick")) box.checked = event.target.checked;
      updateBulk();
    });
    document.getElementById("dismiss-selected").addEventListener("click", dismissChecked);
    document.getElementById("prev").addEventListener("click", () => {
      state.offset = Math.max(0, state.offset - PAGE_SIZE);
      load();
    });
    document.getElementById("next").addEventListener("click", () => { state.offset += PAGE_SIZE; load(); });
    document.getElementById("fresh-load").addEventListener("click", () => load());
    document.getElementById("alerts-toggle").addEventListener("click", toggleAlerts);
    showAlertsButton();
    if (state.alerts) {
      // Sound needs a click on the page first (browser rule): the first click anywhere enables it.
      const Ctx = window.AudioContext || window.webkitAudioContext;
      document.addEventListener("click", () => { if (Ctx && !state.audio) state.audio = new Ctx(); }, { once: true });
    }
    const open = S.params();
    state.view = viewFromAddress(open);
    if (!["tickets", "callback", "questions", "noise", "done"].includes(state.view)) state.view = "tickets";
    if (open.get("q")) {
      state.search = open.get("q").slice(0, 200);
      document.getElementById("q").value = state.search;
    }
    try {
      // The baseline: a ticket newer than this, even one made while the list loads, rings.
      await onCounts(await api("GET", "/inbox/counts"));
    } catch (err) {
      S.toast(err.message, "bad");
    }
    const offset = Number(open.get("offset") || 0);
    await switchView(state.view, Number.isInteger(offset) && offset > 0 ? offset : 0);
    S.watchInbox(POLL_MS, onCounts);
    setInterval(refreshWaits, 30000);
    if (open.get("after")) await openNext(Number(open.get("after")));
    else if (open.get("ticket")) await select("ticket", Number(open.get("ticket")));
    else if (open.get("question")) await select("question", Number(open.get("question")));
  });
})();
