// Dashboard: conversations per day, outcomes, top procedures and aspects, channels, ratings; the most
// asked unanswered questions and the latest "chưa hữu ích" ratings; CSV. Each figure with a list
// behind it links to that list (the inbox filtered, the procedure, the FAQ entry, the ratings below).
"use strict";

(function () {
  const S = window.Staff;
  const C = window.Charts;
  const { el, api, clear } = S;
  const OUTCOME_COLORS = {
    answer: "#0b5cad", faq: "#00838f", dossier: "#6a1b9a", decline: "#a15c00", fallback: "#b3261e",
    handoff: "#ad1457",
  };
  // The list behind each outcome, where there is one.
  const INBOX_QUESTIONS = "/staff/inbox?kind=question&status=open";
  const INBOX_TICKETS = "/staff/inbox?kind=ticket&status=all";
  const OUTCOME_LINKS = { fallback: INBOX_QUESTIONS, handoff: INBOX_TICKETS, faq: "/staff/faq" };

  function tile(value, label, href, hint) {
    const body = [el("div", { class: "value", text: value }), el("div", { class: "label", text: label })];
    if (!href) return el("div", { class: "tile" }, body);
    return el("a", { class: "tile link", href, title: hint || null }, body,
      el("div", { class: "more", text: hint || "Xem danh sách" }));
  }

  function unansweredRows(rows, days) {
    const body = clear(document.getElementById("top-unanswered"));
    document.getElementById("top-unanswered-empty").hidden = rows.length > 0;
    const back = encodeURIComponent("/staff/dashboard?days=" + days);
    for (const row of rows) {
      body.appendChild(el("tr", {},
        el("td", { class: "text clip", text: row.text }),
        el("td", { text: row.count }),
        el("td", { text: row.open }),
        el("td", { text: S.fmtDateTime(row.last_at) }),
        el("td", {},
          row.question_id ? el("a", { href: `/staff/faq?from_question=${row.question_id}&return=${back}`, class: "to-faq" },
            "Trả lời bằng câu hỏi thường gặp") : null,
          row.question_id ? " · " : null,
          el("a", { href: "/staff/inbox?kind=question&status=all&q=" + encodeURIComponent(row.text) }, "Xem trong hộp thư"))));
    }
  }

  function downRows(rows) {
    const body = clear(document.getElementById("recent-down"));
    document.getElementById("recent-down-empty").hidden = rows.length > 0;
    for (const row of rows) {
      let what = row.answered_with;
      let href = null;
      if (row.faq_id) { what += " #" + row.faq_id; href = "/staff/faq?id=" + row.faq_id; }
      if (row.procedure_code) { what += " " + row.procedure_code; href = "/staff/procedures?code=" + encodeURIComponent(row.procedure_code); }
      body.appendChild(el("tr", {},
        el("td", { class: "text clip", text: row.question || "—" }),
        el("td", {}, href ? el("a", { href }, what) : what),
        el("td", { text: S.fmtDateTime(row.at) })));
    }
  }

  async function load() {
    const days = document.getElementById("days").value;
    document.getElementById("csv").setAttribute("href", "/api/staff/v1/dashboard.csv?days=" + days);
    S.hideError("error");
    let data;
    try {
      data = await api("GET", "/dashboard?days=" + days);
    } catch (err) {
      S.showError("error", err);
      return;
    }
    const ratings = data.ratings;
    S.append(clear(document.getElementById("tiles")), [
      tile(data.conversations, "cuộc trò chuyện"),
      tile(data.messages, "tin nhắn được xử lý"),
      tile(S.fmtPercent(data.fallback_rate), "tỉ lệ không hiểu / chưa có câu trả lời", INBOX_QUESTIONS,
        "Xem câu hỏi chờ xử lý trong hộp thư"),
      tile(S.fmtPercent(data.handoff_rate), "cuộc trò chuyện chuyển cán bộ", INBOX_TICKETS,
        "Xem các yêu cầu gặp cán bộ"),
      tile(S.fmtPercent(ratings.up_ratio), "đánh giá “hữu ích” (" + ratings.up + " hữu ích, " + ratings.down + " chưa hữu ích)",
        location.pathname + location.search + "#ratings-down", "Xem các câu trả lời bị đánh giá chưa hữu ích"),
    ]);
    const rows = data.days.map((d) => ({ ...d, label: d.date.slice(8, 10) + "/" + d.date.slice(5, 7) }));
    C.columns(document.getElementById("chart-days"), rows,
      [{ key: "conversations", label: "Cuộc trò chuyện", color: "#0b5cad" }], { label: "Số cuộc trò chuyện mỗi ngày" });
    C.bars(document.getElementById("chart-outcomes"),
      data.outcomes.map((o) => ({ label: o.label, value: o.count, color: OUTCOME_COLORS[o.outcome], href: OUTCOME_LINKS[o.outcome] })),
      { label: "Kết quả xử lý tin nhắn", labelWidth: 280 });
    C.bars(document.getElementById("chart-procedures"),
      data.top_procedures.map((p) => ({ label: p.code + " " + p.name, value: p.count,
        href: "/staff/procedures?code=" + encodeURIComponent(p.code) })),
      { label: "Thủ tục được hỏi nhiều nhất", labelWidth: 300 });
    C.bars(document.getElementById("chart-aspects"),
      data.top_aspects.map((a) => ({ label: a.label, value: a.count, color: "#00838f" })),
      { label: "Nội dung được hỏi nhiều nhất" });
    C.shares(document.getElementById("chart-channels"),
      data.channels.map((c) => ({ label: c.label, value: c.conversations })), { label: "Kênh" });
    C.shares(document.getElementById("chart-ratings"), [
      { label: "Hữu ích", value: ratings.up, color: "#2e7d32" },
      { label: "Chưa hữu ích", value: ratings.down, color: "#b3261e", href: "#ratings-down" },
    ], { label: "Đánh giá" });
    unansweredRows(data.top_unanswered, days);
    downRows(data.recent_down);
  }

  S.init().then(() => {
    const wanted = S.params().get("days");
    const select = document.getElementById("days");
    if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
    select.addEventListener("change", load);
    return load();
  });
})();
