// Dashboard: conversations per day, outcomes, top procedures and aspects, channels, ratings; CSV.
"use strict";

(function () {
  const S = window.Staff;
  const C = window.Charts;
  const { el, api, clear } = S;
  const OUTCOME_COLORS = {
    answer: "#0b5cad", faq: "#00838f", dossier: "#6a1b9a", decline: "#a15c00", fallback: "#b3261e",
    handoff: "#ad1457",
  };

  function tile(value, label) {
    return el("div", { class: "tile" }, el("div", { class: "value", text: value }), el("div", { class: "label", text: label }));
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
      tile(S.fmtPercent(data.fallback_rate), "tỉ lệ không hiểu / chưa có câu trả lời"),
      tile(S.fmtPercent(data.handoff_rate), "cuộc trò chuyện chuyển cán bộ"),
      tile(S.fmtPercent(ratings.up_ratio), "đánh giá “hữu ích” (" + ratings.up + " hữu ích, " + ratings.down + " chưa hữu ích)"),
    ]);
    const rows = data.days.map((d) => ({ ...d, label: d.date.slice(8, 10) + "/" + d.date.slice(5, 7) }));
    C.columns(document.getElementById("chart-days"), rows,
      [{ key: "conversations", label: "Cuộc trò chuyện", color: "#0b5cad" }], { label: "Số cuộc trò chuyện mỗi ngày" });
    C.bars(document.getElementById("chart-outcomes"),
      data.outcomes.map((o) => ({ label: o.label, value: o.count, color: OUTCOME_COLORS[o.outcome] })),
      { label: "Kết quả xử lý tin nhắn", labelWidth: 280 });
    C.bars(document.getElementById("chart-procedures"),
      data.top_procedures.map((p) => ({ label: p.code + " " + p.name, value: p.count })),
      { label: "Thủ tục được hỏi nhiều nhất", labelWidth: 300 });
    C.bars(document.getElementById("chart-aspects"),
      data.top_aspects.map((a) => ({ label: a.label, value: a.count, color: "#00838f" })),
      { label: "Nội dung được hỏi nhiều nhất" });
    C.shares(document.getElementById("chart-channels"),
      data.channels.map((c) => ({ label: c.label, value: c.conversations })), { label: "Kênh" });
    C.shares(document.getElementById("chart-ratings"), [
      { label: "Hữu ích", value: ratings.up, color: "#2e7d32" },
      { label: "Chưa hữu ích", value: ratings.down, color: "#b3261e" },
    ], { label: "Đánh giá" });
  }

  S.init().then(() => {
    document.getElementById("days").addEventListener("change", load);
    return load();
  });
})();
