// Inbox: questions the assistant could not answer well and handoff tickets; reply, release, dismiss,
// or turn a question into an FAQ entry.
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  let selected = null;

  function itemButton(item) {
    const kindBadge = item.kind === "ticket"
      ? S.badge("Gặp cán bộ", "ticket") : S.badge("Câu hỏi", "question");
    const statusKind = item.open ? (item.status === "open" ? "warn" : "") : "ok";
    const first = (item.text || "").split("\n").find((line) => line.startsWith("- ")) || item.text || "";
    return el("button", { type: "button", class: "item", onclick: () => select(item.kind, item.id) },
      el("span", { class: "title", text: first.replace(/^- /, "").slice(0, 160) }),
      el("span", { class: "meta" },
        kindBadge,
        S.badge(item.status_label, statusKind),
        el("span", { class: "muted", text: item.reason_label }),
        el("span", { class: "muted", text: S.fmtDateTime(item.created_at) }),
        item.claimed_by ? el("span", { class: "muted", text: "· " + item.claimed_by }) : null));
  }

  async function load() {
    const kind = document.getElementById("kind").value;
    const status = document.getElementById("status").value;
    const data = await api("GET", `/inbox?kind=${kind}&status=${status}`);
    document.getElementById("count-tickets").textContent = data.counts.tickets_open;
    document.getElementById("count-questions").textContent = data.counts.questions_open;
    const list = clear(document.getElementById("items"));
    for (const item of data.items) {
      const isSelected = selected && selected.kind === item.kind && selected.id === item.id;
      list.appendChild(el("li", { class: isSelected ? "selected" : null, dataset: { kind: item.kind, id: item.id } },
        itemButton(item)));
    }
    document.getElementById("empty").hidden = data.items.length > 0;
  }

  function conversationBlock(detail) {
    if (detail.conversation_error) return el("p", { class: "muted", text: detail.conversation_error });
    if (!detail.conversation) return null;
    const box = el("div", { class: "conversation", "aria-label": "Cuộc trò chuyện" });
    for (const message of detail.conversation) {
      box.appendChild(el("div", { class: "bubble " + message.sender },
        el("span", { class: "when", text: (message.sender === "user" ? "Người dân" : "Trợ lý") + " · " +
          S.fmtDateTime(message.at) }),
        message.text));
    }
    return el("div", {}, el("h3", { text: "Cuộc trò chuyện" }), box);
  }

  function repliesBlock(detail) {
    if (!detail.replies.length) return null;
    return el("div", {}, el("h3", { text: "Cán bộ đã trả lời" }),
      detail.replies.map((r) => el("div", { class: "bubble staff" },
        el("span", { class: "when", text: r.by + " · " + S.fmtDateTime(r.at) }), r.message)));
  }

  function render(detail) {
    const box = clear(document.getElementById("detail"));
    const isTicket = detail.kind === "ticket";
    const base = isTicket ? `/inbox/tickets/${detail.id}` : `/inbox/questions/${detail.id}`;
    const error = el("div", { class: "error", id: "detail-error", hidden: true });
    const reply = el("textarea", { id: "reply", name: "message", rows: 4,
      placeholder: "Nội dung gửi cho người dân (qua đúng kênh họ đang dùng)" });

    async function act(method, path, body, done) {
      S.hideError(error);
      try {
        const updated = await api(method, path, body);
        render(updated);
        await load();
        S.toast(done);
      } catch (err) {
        S.showError(error, err);
      }
    }

    const heading = isTicket ? "Yêu cầu gặp cán bộ #" + detail.id : "Câu hỏi #" + detail.id;
    S.append(box, [
      el("h2", { text: heading }),
      el("p", { class: "meta" },
        S.badge(detail.status_label, detail.open ? "warn" : "ok"), " ",
        el("span", { class: "muted", text: detail.reason_label + " · kênh " + (detail.channel || "không rõ") +
          " · " + S.fmtDateTime(detail.created_at) })),
      isTicket && detail.claimed_by ? el("p", { class: "muted", text: "Người xử lý: " + detail.claimed_by }) : null,
      !isTicket && detail.confidence ? el("p", { class: "muted",
        text: "Ý định: " + (detail.intent || "—") + " · độ tin cậy " + S.fmtPercent(detail.confidence) }) : null,
      el("h3", { text: isTicket ? "Tóm tắt" : "Câu hỏi của người dân" }),
      el("div", { class: "text card", id: "item-text", text: detail.text }),
      conversationBlock(detail),
      repliesBlock(detail),
      el("label", { for: "reply", text: "Trả lời người dân" }),
      reply,
      error,
      el("div", { class: "actions" },
        el("button", { type: "button", id: "send-reply", onclick: () => act("POST", base + "/reply",
          { message: reply.value }, "Đã gửi câu trả lời cho người dân.") }, "Gửi cho người dân"),
        isTicket && !detail.claimed_by_id ? el("button", { type: "button", class: "secondary",
          onclick: () => act("POST", base + "/claim", undefined, "Bạn đã nhận xử lý yêu cầu này.") },
          "Nhận xử lý") : null,
        isTicket && detail.status === "open" ? el("button", { type: "button", class: "secondary", id: "release",
          onclick: () => act("POST", base + "/release", undefined, "Đã trả cuộc trò chuyện cho trợ lý.") },
          "Trả lại cho trợ lý") : null,
        !isTicket && detail.open ? el("button", { type: "button", class: "secondary",
          onclick: () => act("POST", base + "/dismiss", undefined, "Đã bỏ qua câu hỏi.") }, "Bỏ qua") : null,
        el("a", { href: `/staff/faq?from_${detail.kind}=${detail.id}`, id: "to-faq" },
          "Tạo câu hỏi thường gặp")),
    ]);
  }

  async function select(kind, id) {
    selected = { kind, id };
    for (const li of document.querySelectorAll("#items li")) {
      li.classList.toggle("selected", li.dataset.kind === kind && Number(li.dataset.id) === id);
    }
    const path = kind === "ticket" ? `/inbox/tickets/${id}` : `/inbox/questions/${id}`;
    try {
      render(await api("GET", path));
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  S.init().then(async () => {
    document.getElementById("kind").addEventListener("change", load);
    document.getElementById("status").addEventListener("change", load);
    await load();
    const open = S.params();
    if (open.get("ticket")) await select("ticket", Number(open.get("ticket")));
    else if (open.get("question")) await select("question", Number(open.get("question")));
  });
})();
