// Procedures: search, read the national text, choose the office the procedure inherits and edit the
// local override (both used by the next answer; the procedure's own address and hours win).
"use strict";

(function () {
  const S = window.Staff;
  const { el, api, clear } = S;
  const CHANNELS = { direct: "Trực tiếp", online: "Trực tuyến", postal: "Bưu chính" };
  const UNITS = {
    working_day: "ngày làm việc", day: "ngày", hour: "giờ", month: "tháng", year: "năm", in_day: "trong ngày",
  };

  function channelLine(channel) {
    const time = channel.time_value !== null && channel.time_unit
      ? channel.time_value.toLocaleString("vi-VN") + " " + (UNITS[channel.time_unit] || channel.time_unit)
      : channel.time_text ? channel.time_text + " (không ghi đơn vị)" : "không ghi";
    const fee = channel.fee_kind === "free" ? "Miễn phí"
      : channel.fee_kind === "amount" ? Number(channel.fee_amount_vnd).toLocaleString("vi-VN") + " đồng"
        : channel.fee_text || "không ghi";
    return (CHANNELS[channel.channel] || channel.channel) + ": " + time + "; phí: " + fee;
  }

  function field(name, label, value, multiline) {
    const input = multiline
      ? el("textarea", { id: name, name, rows: 3 })
      : el("input", { type: "text", id: name, name });
    input.value = value || "";
    return [el("label", { for: name, text: label }), input];
  }

  // The office whose address, hours and phone the procedure inherits, and a choice of another.
  function officeChoice(p, o, offices) {
    const error = el("div", { class: "error", hidden: true });
    const select = el("select", { id: "office_id", name: "office_id" },
      el("option", { value: "", text: "Không gán văn phòng" }),
      offices.map((office) => el("option", { value: String(office.id), text: office.name })));
    select.value = o.office_id ? String(o.office_id) : "";
    const office = o.office;
    const inherited = office
      ? el("dl", { class: "national" },
        el("dt", { text: "Địa chỉ" }), el("dd", { text: office.address || "—" }),
        el("dt", { text: "Giờ làm việc" }), el("dd", { text: office.opening_hours || "—" }),
        el("dt", { text: "Điện thoại" }), el("dd", { text: office.phone || "—" }))
      : el("p", { class: "muted", text: offices.length
        ? "Chưa gán văn phòng: trợ lý chỉ dùng địa chỉ, giờ làm việc ghi riêng bên dưới (nếu có)."
        : "Chưa có văn phòng nào: thêm ở trang “Văn phòng một cửa”." });
    const save = el("button", { type: "button", id: "save-office" }, "Lưu văn phòng");
    save.addEventListener("click", async () => {
      S.hideError(error);
      try {
        await api("PUT", `/procedures/${encodeURIComponent(p.code)}/office`, {
          office_id: select.value ? Number(select.value) : null,
        });
        render(await api("GET", `/procedures/${encodeURIComponent(p.code)}`));
        S.toast("Đã lưu. Câu trả lời tiếp theo của trợ lý dùng văn phòng này.");
      } catch (err) {
        S.showError(error, err);
      }
    });
    return el("div", { class: "office-choice" },
      el("label", { for: "office_id", text: "Văn phòng một cửa tiếp nhận" }),
      el("div", { class: "toolbar" }, select, save, el("a", { href: "/staff/offices", text: "Quản lý văn phòng" })),
      inherited,
      office && (o.agency_address || o.opening_hours)
        ? el("p", { class: "notice", text: "Thủ tục có địa chỉ hoặc giờ làm việc riêng bên dưới: thông tin riêng được dùng thay cho của văn phòng." })
        : null,
      error);
  }

  function render(data) {
    const p = data.national;
    const o = data.override || {};
    const box = clear(document.getElementById("detail"));
    const error = el("div", { class: "error", hidden: true });
    const notOffered = el("input", { type: "checkbox", id: "not_offered", name: "not_offered" });
    notOffered.checked = Boolean(o.not_offered);
    const form = el("form", { id: "override-form", novalidate: true },
      field("agency_address", "Địa chỉ nơi tiếp nhận riêng (để trống: dùng của văn phòng)", o.agency_address, false),
      field("opening_hours", "Giờ làm việc riêng (để trống: dùng của văn phòng)", o.opening_hours, true),
      field("fee_note", "Ghi chú lệ phí tại địa phương", o.fee_note, true),
      field("notes", "Ghi chú thêm", o.notes, true),
      el("label", { class: "inline", for: "not_offered" }, notOffered, "Thủ tục này KHÔNG thực hiện tại địa phương"),
      error,
      el("div", { class: "actions" }, el("button", { type: "submit" }, "Lưu thông tin địa phương")),
      data.override ? el("p", { class: "muted", text: "Sửa lần cuối bởi " + o.updated_by + " lúc " + S.fmtDateTime(o.updated_at) }) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      S.hideError(error);
      try {
        await api("PUT", `/procedures/${encodeURIComponent(p.code)}/override`, {
          agency_address: form.elements.agency_address.value,
          opening_hours: form.elements.opening_hours.value,
          fee_note: form.elements.fee_note.value,
          notes: form.elements.notes.value,
          not_offered: notOffered.checked,
        });
        render(await api("GET", `/procedures/${encodeURIComponent(p.code)}`));
        S.toast("Đã lưu. Câu trả lời tiếp theo của trợ lý dùng thông tin này.");
      } catch (err) {
        S.showError(error, err);
      }
    });
    const documents = p.documents.filter((d) => !d.is_note).map((d) => el("li", { text: d.name }));
    S.append(box, [
      el("h2", { text: p.name }),
      el("p", { class: "muted", text: "Mã " + p.code + " · " + (p.levels_label || "không ghi cấp") + " · nguồn cập nhật " + S.fmtDate(p.source_date) }),
      p.source_url ? el("p", {}, el("a", { href: p.source_url, rel: "noopener noreferrer", target: "_blank" }, "Xem trên Cổng Dịch vụ công")) : null,
      el("h3", { text: "Thông tin địa phương" }),
      officeChoice(p, o, data.offices || []),
      form,
      el("h3", { text: "Nội dung quốc gia (chỉ đọc)" }),
      el("dl", { class: "national" },
        el("dt", { text: "Cơ quan thực hiện" }), el("dd", { text: p.implementing_agency || "—" }),
        el("dt", { text: "Cách thức, thời hạn, phí" }),
        el("dd", {}, p.channels.map((c) => el("div", { text: channelLine(c) }))),
        el("dt", { text: "Thành phần hồ sơ" }), el("dd", {}, el("ol", {}, documents)),
        el("dt", { text: "Trình tự thực hiện" }), el("dd", { text: (p.steps || []).join("\n") || "—" }),
        el("dt", { text: "Yêu cầu, điều kiện" }), el("dd", { text: p.conditions || "—" }),
        el("dt", { text: "Kết quả" }), el("dd", { text: p.result || "—" })),
    ]);
  }

  async function open(code) {
    try {
      render(await api("GET", `/procedures/${encodeURIComponent(code)}`));
      history.replaceState(null, "", "/staff/procedures?code=" + encodeURIComponent(code));
    } catch (err) {
      S.toast(err.message, "bad");
    }
  }

  async function search(event) {
    if (event) event.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (!q) return;
    const hits = await api("GET", `/procedures?q=${encodeURIComponent(q)}`);
    const list = clear(document.getElementById("results"));
    for (const hit of hits) {
      list.appendChild(el("li", {}, el("button", { type: "button", class: "item", onclick: () => open(hit.code) },
        el("span", { class: "title", text: hit.name }),
        el("span", { class: "meta" }, el("span", { class: "muted", text: hit.code + " · " + (hit.level_label || "không ghi cấp") }),
          hit.not_offered ? S.badge("Không thực hiện tại địa phương", "warn") : null,
          hit.has_override && !hit.not_offered ? S.badge("Có thông tin địa phương", "ok") : null))));
    }
    document.getElementById("no-results").hidden = hits.length > 0;
  }

  S.init().then(async () => {
    document.getElementById("search-form").addEventListener("submit", search);
    const code = S.params().get("code");
    if (code) await open(code);
  });
})();
