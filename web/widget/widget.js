/*
 * tthc-assistant web widget: a chat panel for the administrative-procedure assistant.
 * Plain JavaScript, no build step. Embed with one tag (see README, "Web widget"):
 *
 *   <script src="https://app.example/widget/widget.js" defer
 *           data-server="https://bot.example" data-title="Trợ lý thủ tục hành chính"
 *           data-color="#a61b1b" data-accent="#0b5cad" data-lang="vi"></script>
 *
 * Safety: every message is put on the page with textContent / text nodes, never as HTML; links are
 * made only from http(s) URLs; nothing inline, so the page's Content-Security-Policy can forbid
 * inline scripts and styles. The widget lives in a shadow root so the portal's CSS leaves it alone.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[src*='widget.js'][data-server]");
  if (!script || window.__tthcWidget) {
    return;
  }
  window.__tthcWidget = true;

  var STRINGS = {
    vi: {
      open: "Mở trợ lý hỏi đáp thủ tục hành chính",
      openUnread: "Mở trợ lý hỏi đáp thủ tục hành chính ({n} tin nhắn mới)",
      closeAssistant: "Đóng trợ lý hỏi đáp thủ tục hành chính",
      close: "Đóng khung trò chuyện",
      skip: "Chuyển đến trợ lý hỏi đáp thủ tục hành chính",
      waiting: "Đang kết nối cán bộ… Trong lúc chờ, trợ lý vẫn trả lời bạn.",
      staff: "Cán bộ {name} đang trả lời",
      staffUnnamed: "Cán bộ bộ phận Một cửa đang trả lời",
      back: "Trợ lý đã quay lại",
      queued: "Trợ lý đang trả lời câu trước; tin nhắn của bạn sẽ được gửi ngay sau đó: ",
      said: "Trợ lý: ",
      saidStaff: "Cán bộ: ",
      cardSummary: "Tóm tắt thủ tục {title}: {sections}.",
      choices: "{n} lựa chọn bên dưới.",
      newMessages: "{n} tin nhắn mới từ trợ lý.",
      subtitle: "Trả lời tự động từ Cơ sở dữ liệu quốc gia về thủ tục hành chính",
      inputLabel: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi của bạn…",
      send: "Gửi",
      log: "Cuộc trò chuyện",
      you: "Bạn: ",
      bot: "Trợ lý: ",
      typing: "Trợ lý đang trả lời…",
      welcome:
        "Xin chào! Tôi có thể giúp bạn tìm hiểu thủ tục hành chính: giấy tờ cần chuẩn bị, " +
        "thời gian giải quyết, lệ phí, nơi nộp hồ sơ, nộp trực tuyến, hoặc tra cứu tình trạng hồ sơ.",
      suggestions: ["Làm căn cước cần giấy tờ gì?", "Đăng ký khai sinh mất bao lâu?", "Tra cứu hồ sơ"],
      privacy: "Vui lòng không gửi số CCCD, mật khẩu hay mã OTP trong khung trò chuyện.",
      offline:
        "Không kết nối được với máy chủ trợ lý. Vui lòng kiểm tra kết nối mạng rồi bấm Gửi lại; " +
        "câu hỏi của bạn vẫn còn trong ô nhập.",
      offlineHistory: "Không kết nối được với máy chủ trợ lý, chưa tải được cuộc trò chuyện trước. Vui lòng thử lại sau.",
      busy: "Hệ thống đang bận, vui lòng thử lại sau ít phút. Câu hỏi của bạn vẫn còn trong ô nhập.",
      tooLarge: "Tin nhắn dài quá, bạn vui lòng rút gọn rồi gửi lại.",
      rateUp: "Câu trả lời hữu ích",
      rateDown: "Câu trả lời chưa hữu ích",
      card: {
        label: "Tóm tắt thủ tục",
        code: "Mã thủ tục: ",
        documents: "Giấy tờ cần chuẩn bị",
        more: "… và {n} giấy tờ khác (bấm \"Tất cả giấy tờ\")",
        where: "Nơi nộp",
        hours: "Giờ làm việc",
        phone: "Điện thoại: ",
        cases: "Giấy tờ riêng theo trường hợp (bấm nút bên dưới)",
        time: "Thời gian giải quyết",
        fee: "Phí, lệ phí",
        channels: "Cách nộp hồ sơ",
        online: "Dịch vụ công trực tuyến: ",
        source: "Nguồn",
        sourceLink: "Xem trên Cổng Dịch vụ công",
        notOffered: "Địa phương hiện không tiếp nhận thủ tục này.",
      },
    },
    en: {
      open: "Open the administrative procedures assistant",
      openUnread: "Open the administrative procedures assistant ({n} new messages)",
      closeAssistant: "Close the administrative procedures assistant",
      close: "Close the chat",
      skip: "Skip to the administrative procedures assistant",
      waiting: "Connecting you to an officer… Meanwhile the assistant keeps answering.",
      staff: "Officer {name} is answering",
      staffUnnamed: "A one-stop-desk officer is answering",
      back: "The assistant is back",
      queued: "The assistant is still answering; your message will be sent right after: ",
      said: "Assistant: ",
      saidStaff: "Officer: ",
      cardSummary: "Summary of {title}: {sections}.",
      choices: "{n} choices below.",
      newMessages: "{n} new messages from the assistant.",
      subtitle: "Automatic answers from the national procedure database",
      inputLabel: "Your question",
      placeholder: "Type your question…",
      send: "Send",
      log: "Conversation",
      you: "You: ",
      bot: "Assistant: ",
      typing: "The assistant is answering…",
      welcome:
        "Hello! I can help with administrative procedures: required documents, processing time, fees, " +
        "where to submit, online services, or the status of your dossier. Answers are in Vietnamese.",
      suggestions: ["Làm căn cước cần giấy tờ gì?", "Đăng ký khai sinh mất bao lâu?", "Tra cứu hồ sơ"],
      privacy: "Please do not send ID numbers, passwords or OTP codes in the chat.",
      offline:
        "Cannot reach the assistant's server. Please check your connection and press Send again; " +
        "your question is still in the input box.",
      offlineHistory: "Cannot reach the assistant's server; the earlier conversation could not be loaded.",
      busy: "The service is busy, please try again in a few minutes. Your question is still in the input box.",
      tooLarge: "The message is too long, please shorten it and send again.",
      rateUp: "Helpful answer",
      rateDown: "Not a helpful answer",
      card: {
        label: "Procedure summary",
        code: "Procedure code: ",
        documents: "Documents to prepare",
        more: "… and {n} more (press \"Tất cả giấy tờ\")",
        where: "Where to submit",
        hours: "Opening hours",
        phone: "Phone: ",
        cases: "Extra documents by case (press the buttons below)",
        time: "Processing time",
        fee: "Fees",
        channels: "How to submit",
        online: "Online public service: ",
        source: "Source",
        sourceLink: "View on the Public Service Portal",
        notOffered: "This procedure is not currently offered here.",
      },
    },
  };

  var REQUEST_TIMEOUT_MS = 90000;
  var MAX_INPUT_CHARS = 4000;
  var URL_RE = /https?:\/\/[^\s<>"'`]+/g;
  // Thumbs up / down (Material icons, Apache-2.0): drawn rather than emoji, which some systems lack.
  var THUMB_UP =
    "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
    "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  var THUMB_DOWN =
    "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 " +
    "4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z";

  // ---------------------------------------------------------------------------------------- config

  var data = script.dataset;
  var lang = data.lang === "en" ? "en" : "vi";
  var t = STRINGS[lang];
  var server = httpUrl(data.server);
  if (!server) {
    if (window.console) {
      window.console.error("tthc widget: data-server must be an http(s) URL");
    }
    return;
  }
  var base = server.href.replace(/\/+$/, "") + "/webhooks/web";
  var title = (data.title || "").trim() || (lang === "en" ? "Procedures assistant" : "Trợ lý thủ tục hành chính");
  var storageKey = "tthc-widget:" + server.origin;

  function httpUrl(value) {
    if (!value) {
      return null;
    }
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch (e) {
      return null;
    }
  }

  function safeColor(value) {
    // A hex, rgb()/hsl() or named colour only (nothing that could end the declaration), and one the
    // browser's own parser accepts.
    var shape = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s\/]+\))$/i;
    if (!value || !shape.test(value.trim())) {
      return null;
    }
    return window.CSS && CSS.supports && CSS.supports("color", value.trim()) ? value.trim() : null;
  }

  var store = {
    // localStorage can be missing or refuse writes (private modes): fall back to memory.
    memory: {},
    get: function (key) {
      try {
        return window.localStorage.getItem(key);
      } catch (e) {
        return this.memory[key] || null;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch (e) {
        this.memory[key] = value;
      }
    },
    remove: function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
        delete this.memory[key];
      }
    },
  };

  // ---------------------------------------------------------------------------------------- DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function srOnly(text) {
    return el("span", "sr-only", text);
  }

  function svgIcon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  /** Append `text` to `parent` as text nodes, with http(s) URLs as links (never as HTML). */
  function appendText(parent, text) {
    var last = 0;
    String(text).replace(URL_RE, function (match, offset) {
      var href = match.replace(/[.,;:!?)\]]+$/, "");
      var url = httpUrl(href);
      if (!url) {
        return match;
      }
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", null, href);
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
      parent.appendChild(link);
      last = offset + href.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function strings(list) {
    return Array.isArray(list) ? list.filter(function (x) { return typeof x === "string" && x.trim(); }) : [];
  }

  // ---------------------------------------------------------------------------------------- build

  var host = el("div");
  host.id = "tthc-widget";
  host.hidden = true; // shown once the stylesheet has loaded (no flash of unstyled buttons)
  var root = host.attachShadow({ mode: "open" });
  var sheet = el("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("widget.css", script.src).href;
  sheet.addEventListener("load", function () { host.hidden = false; });
  sheet.addEventListener("error", function () { host.hidden = false; });
  root.appendChild(sheet);

  var primary = safeColor(data.color);
  var accent = safeColor(data.accent);
  if (primary) {
    host.style.setProperty("--tthc-color", primary);
  }
  if (accent) {
    host.style.setProperty("--tthc-accent", accent);
  }

  var launcher = el("button", "launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", t.open);
  // Replies that arrived while the panel was closed (or the page was not open): a count on the button.
  var badge = el("span", "badge");
  badge.setAttribute("aria-hidden", "true");
  badge.hidden = true;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "tthc-panel");
  launcher.appendChild(badge);
  launcher.appendChild(svgIcon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm5 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm5 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z"));

  var panel = el("section", "panel");
  panel.id = "tthc-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "tthc-title");
  panel.setAttribute("lang", lang);

  var header = el("header", "header");
  var heading = el("div", "heading");
  var h2 = el("h2", "title", title);
  h2.id = "tthc-title";
  heading.appendChild(h2);
  // Who answers: the assistant, "Đang kết nối cán bộ…", "Cán bộ … đang trả lời", "Trợ lý đã quay lại".
  var subtitle = el("p", "subtitle", t.subtitle);
  heading.appendChild(subtitle);
  var closeButton = el("button", "close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", t.close);
  closeButton.appendChild(svgIcon("M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z"));
  header.appendChild(heading);
  header.appendChild(closeButton);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  // Not read out as it grows (a card is long): `announcer` says a short summary of each new message.
  log.setAttribute("aria-live", "off");
  log.setAttribute("aria-label", t.log);
  log.tabIndex = 0;

  // The one live region: short summaries of new messages, the header's changes, "answering…".
  var announcer = el("p", "sr-only announcer");
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("aria-atomic", "true");

  // A message typed while an answer loads is sent right after it; this line says so (announced).
  var queuedNote = el("p", "queued");
  queuedNote.hidden = true;

  // Drawn only: the live region (`announcer`) says "Trợ lý đang trả lời…".
  var typing = el("div", "typing");
  typing.setAttribute("aria-hidden", "true");
  typing.hidden = true;
  typing.appendChild(el("span", "dot"));
  typing.appendChild(el("span", "dot"));
  typing.appendChild(el("span", "dot"));

  var error = el("p", "error");
  error.setAttribute("role", "alert");
  error.hidden = true;

  var form = el("form", "composer");
  var inputLabel = el("label", "sr-only", t.inputLabel);
  inputLabel.htmlFor = "tthc-input";
  var input = el("textarea", "input");
  input.id = "tthc-input";
  input.rows = 1;
  input.maxLength = MAX_INPUT_CHARS;
  input.placeholder = t.placeholder;
  input.setAttribute("autocomplete", "off");
  var sendButton = el("button", "send");
  sendButton.type = "submit";
  sendButton.setAttribute("aria-label", t.send);
  sendButton.appendChild(svgIcon("M3 20.5 21 12 3 3.5 3 10l12 2-12 2z"));
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(queuedNote);
  panel.appendChild(announcer);
  panel.appendChild(error);
  panel.appendChild(form);
  panel.appendChild(el("p", "privacy", t.privacy));
  root.appendChild(panel);
  root.appendChild(launcher);

  // A skip link, first on the page: keyboard users reach the assistant without tabbing through the
  // portal (the floating button comes last). Portals with their own link to #tthc-widget keep theirs
  // (data-skip-link="off" leaves this one out).
  var skipHost = el("div");
  skipHost.id = "tthc-widget-skip";
  var skipRoot = skipHost.attachShadow({ mode: "open" });
  var skipSheet = el("link");
  skipSheet.rel = "stylesheet";
  skipSheet.href = sheet.href;
  skipRoot.appendChild(skipSheet);
  var skipLink = el("a", "skip", t.skip);
  skipLink.href = "#tthc-widget";
  skipRoot.appendChild(skipLink);

  // ---------------------------------------------------------------------------------------- rendering

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Scroll the conversation so that `node` (a new answer) starts at the top: read from its beginning. */
  function scrollToTop(node) {
    if (node && node.parentNode === log) {
      log.scrollTop = Math.max(0, node.offsetTop - 8);
    }
  }

  // ---------------------------------------------------------------------------------------- announcing

  var announceTimer = null;

  /** Say `text` once through the polite live region (the log itself is silent). */
  function announce(text) {
    if (!text) {
      return;
    }
    clearTimeout(announceTimer);
    announcer.textContent = "";
    // Emptied first and filled a moment later, so the same words are announced again.
    announceTimer = setTimeout(function () { announcer.textContent = text; }, 60);
  }

  function shorten(text, max) {
    var flat = String(text).replace(/\s+/g, " ").trim();
    if (flat.length <= max) {
      return flat;
    }
    var cut = flat.slice(0, max);
    var space = cut.lastIndexOf(" ");
    return (space > max / 2 ? cut.slice(0, space) : cut) + "…";
  }

  /** A short spoken summary of a bot message: its first words, or the card's title and headings. */
  function summary(message) {
    if (!message || typeof message !== "object") {
      return "";
    }
    var custom = message.custom || {};
    var parts = [];
    var card = custom.type === "procedure_answer" && custom.card && typeof custom.card.title === "string";
    if (card) {
      var headings = cardGroups(custom.card, custom.aspects).map(function (group) { return group.heading; });
      parts.push(
        t.said + t.cardSummary.replace("{title}", shorten(custom.card.title, 90)).replace("{sections}", headings.join(", "))
      );
    } else if (typeof message.text === "string" && message.text) {
      parts.push((custom.type === "staff_reply" ? t.saidStaff : t.said) + shorten(message.text, 160));
    }
    var choices = (Array.isArray(message.buttons) ? message.buttons : []).filter(function (b) {
      return b && typeof b.title === "string" && !isRating(b.payload);
    }).length;
    if (choices) {
      parts.push(t.choices.replace("{n}", String(choices)));
    }
    return parts.join(" ");
  }

  function addUser(text) {
    var item = el("div", "msg user");
    item.appendChild(srOnly(t.you));
    var bubble = el("p", "bubble");
    appendText(bubble, text);
    item.appendChild(bubble);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function isRating(payload) {
    return typeof payload === "string" && payload.indexOf("/rate_answer") === 0;
  }

  function renderButtons(buttons, active) {
    var group = el("div", "buttons");
    group.setAttribute("role", "group");
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string") {
        return;
      }
      var url = typeof button.url === "string" ? httpUrl(button.url) : null;
      if (url) {
        var link = el("a", "reply link", button.title);
        link.href = url.href;
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        group.appendChild(link);
        return;
      }
      if (typeof button.payload !== "string" && typeof button.text !== "string") {
        return;
      }
      var rating = isRating(button.payload);
      var node = el("button", rating ? "reply rate" : "reply", rating ? null : button.title);
      node.type = "button";
      node.disabled = !active;
      if (rating) {
        var down = button.payload.indexOf("down") > 0;
        node.setAttribute("aria-label", down ? t.rateDown : t.rateUp);
        node.title = down ? t.rateDown : t.rateUp;
        node.appendChild(svgIcon(down ? THUMB_DOWN : THUMB_UP));
      }
      node.addEventListener("click", function (event) {
        if (node.disabled || busy) {
          return;
        }
        // The pressed button is disabled at once: focus goes to the message box, never to the top
        // of the page (on a touch screen to the conversation, so no keyboard pops up over the answer).
        var touch = event.detail > 0 && window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
        (touch ? log : input).focus({ preventScroll: true });
        if (typeof button.text === "string") {
          send({ message: button.text }, button.text, node);
        } else {
          send({ payload: button.payload, title: button.title }, button.title, node);
        }
      });
      group.appendChild(node);
    });
    return group.childNodes.length ? group : null;
  }

  function addSection(card, heading, items, more) {
    if (!items.length) {
      return;
    }
    var section = el("div", "card-section");
    section.appendChild(el("h4", null, heading));
    var list = el("ul");
    items.forEach(function (item) { list.appendChild(el("li", null, item)); });
    if (more > 0) {
      list.appendChild(el("li", "more", t.card.more.replace("{n}", String(more))));
    }
    section.appendChild(list);
    card.appendChild(section);
  }

  function text(value) {
    return typeof value === "string" ? value.trim() : "";
  }

  // Which card sections answer which asked aspect (custom.aspects of a procedure answer).
  var ASPECT_GROUPS = {
    documents: "documents",
    processing_time: "time",
    fee: "fee",
    submission: "where",
    online: "channels",
  };
  var GROUP_ORDER = ["documents", "where", "time", "fee", "channels"];

  /** The card's sections as [{heading, items, more}], the asked aspects first, in the order asked. */
  function cardGroups(card, aspects) {
    var groups = {};
    groups.documents = [
      { heading: t.card.documents, items: strings(card.documents), more: typeof card.documents_more === "number" ? card.documents_more : 0 },
      { heading: t.card.cases, items: strings(card.cases), more: 0 },
    ];
    // The local desk (its name, address, phone, hours) when the province set them; else the agency.
    var where = [];
    [text(card.office_name), text(card.office_address) || text(card.where)].forEach(function (item) {
      if (item && where.indexOf(item) < 0) {
        where.push(item);
      }
    });
    if (text(card.office_phone)) {
      where.push(t.card.phone + text(card.office_phone));
    }
    groups.where = [
      { heading: t.card.where, items: where, more: 0 },
      { heading: t.card.hours, items: strings(card.office_hours), more: 0 },
    ];
    groups.time = [{ heading: t.card.time, items: strings(card.processing_time), more: 0 }];
    groups.fee = [{ heading: t.card.fee, items: strings(card.fee), more: 0 }];
    var channels = strings(card.channels);
    if (text(card.online_level)) {
      channels.push(t.card.online + text(card.online_level));
    }
    groups.channels = [{ heading: t.card.channels, items: channels, more: 0 }];
    var order = [];
    (Array.isArray(aspects) ? aspects : []).forEach(function (aspect) {
      var key = ASPECT_GROUPS[aspect];
      if (key && order.indexOf(key) < 0) {
        order.push(key);
      }
    });
    GROUP_ORDER.forEach(function (key) {
      if (order.indexOf(key) < 0) {
        order.push(key);
      }
    });
    var sections = [];
    order.forEach(function (key) {
      groups[key].forEach(function (section) {
        if (section.items.length) {
          sections.push(section);
        }
      });
    });
    return sections;
  }

  /** The procedure card of a `procedure_answer` custom payload (every value rendered as text): the
   * aspects the citizen asked come first (a fee question opens on the fee). */
  function renderCard(card, aspects) {
    if (!card || typeof card !== "object" || typeof card.title !== "string") {
      return null;
    }
    var node = el("section", "card");
    node.setAttribute("aria-label", t.card.label + ": " + card.title);
    node.appendChild(el("h3", "card-title", card.title));
    if (typeof card.code === "string" && card.code) {
      node.appendChild(el("p", "card-code", t.card.code + card.code));
    }
    if (card.not_offered === true) {
      node.appendChild(el("p", "card-warning", t.card.notOffered));
    }
    cardGroups(card, aspects).forEach(function (section) {
      addSection(node, section.heading, section.items, section.more);
    });
    var source = typeof card.source === "string" ? card.source : "";
    var sourceUrl = typeof card.source_url === "string" ? httpUrl(card.source_url) : null;
    if (source || sourceUrl) {
      var footer = el("p", "card-source");
      if (source) {
        footer.appendChild(document.createTextNode(source));
      }
      if (sourceUrl) {
        if (source) {
          footer.appendChild(document.createTextNode(" · "));
        }
        var link = el("a", null, t.card.sourceLink);
        link.href = sourceUrl.href;
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        footer.appendChild(link);
      }
      node.appendChild(footer);
    }
    return node;
  }

  /** Add one bot message to the log; returns its node (null when it had nothing to show). */
  function addBot(message, active) {
    if (!message || typeof message !== "object") {
      return null;
    }
    var item = el("div", "msg bot");
    item.appendChild(srOnly(t.bot));
    var custom = message.custom;
    var card = custom && custom.type === "procedure_answer" ? renderCard(custom.card, custom.aspects) : null;
    if (custom && custom.type === "staff_reply") {
      item.classList.add("staff");
    }
    // The first reply about a procedure comes with its card, which says what its text says: the card
    // is shown instead of the text, not beside it (the same documents twice).
    if (typeof message.text === "string" && message.text && !card) {
      var bubble = el("p", "bubble");
      appendText(bubble, message.text);
      item.appendChild(bubble);
    }
    if (card) {
      item.appendChild(card);
    }
    if (Array.isArray(message.buttons) && message.buttons.length) {
      var group = renderButtons(message.buttons, active);
      if (group) {
        item.appendChild(group);
      }
    }
    if (item.childNodes.length > 1) {
      log.appendChild(item);
      return item;
    }
    return null;
  }

  /** Add the bot's new messages: older buttons go inactive, the view opens on the first new one, and
   * a short summary is announced. Returns how many were shown. */
  function addAnswers(messages, scroll) {
    var first = null;
    var shown = 0;
    var spoken = [];
    if (messages.some(function (m) { return m && Array.isArray(m.buttons) && m.buttons.length; })) {
      deactivateButtons();
    }
    messages.forEach(function (message) {
      var node = addBot(message, true);
      if (node) {
        first = first || node;
        shown += 1;
        spoken.push(summary(message));
      }
    });
    if (first && scroll) {
      scrollToTop(first);
    }
    announce(spoken.join(" "));
    return shown;
  }

  function deactivateButtons() {
    var buttons = log.querySelectorAll("button.reply");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
  }

  function addWelcome() {
    addBot({ text: t.welcome }, true);
    var group = renderButtons(
      t.suggestions.map(function (s) { return { title: s, text: s }; }),
      true
    );
    if (group) {
      group.classList.add("suggestions");
      log.lastChild.appendChild(group);
    }
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }

  function hideError() {
    error.hidden = true;
    error.textContent = "";
  }

  // ---------------------------------------------------------------------------------------- server

  function HttpError(status) {
    this.status = status;
  }

  function request(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    var options = { method: method, mode: "cors", credentials: "omit", cache: "no-store" };
    if (controller) {
      options.signal = controller.signal;
    }
    if (body) {
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    return fetch(base + path, options).then(
      function (response) {
        clearTimeout(timer);
        if (!response.ok) {
          throw new HttpError(response.status);
        }
        return response.json();
      },
      function (failure) {
        clearTimeout(timer);
        // A timeout means the server is slow, not unreachable.
        throw failure && failure.name === "AbortError" ? new HttpError(504) : failure;
      }
    );
  }

  function sessionId() {
    var stored = store.get(storageKey);
    if (stored) {
      return Promise.resolve(stored);
    }
    return request("POST", "/session", {}).then(function (reply) {
      store.set(storageKey, reply.session_id);
      return reply.session_id;
    });
  }

  function postMessage(body, retried) {
    return sessionId().then(function (id) {
      return request("POST", "/webhook", Object.assign({ session_id: id }, body)).catch(function (failure) {
        // An id the server no longer accepts (its key changed): start a new conversation once.
        if (failure instanceof HttpError && failure.status === 403 && !retried) {
          forgetSession();
          return postMessage(body, true);
        }
        throw failure;
      });
    });
  }

  var busy = false;
  // Messages typed while an answer loads, sent one by one after it (never dropped silently).
  var queue = [];

  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    if (value) {
      announce(t.typing);
      scrollToEnd();
    }
  }

  function showQueued() {
    queuedNote.hidden = !queue.length;
    queuedNote.textContent = queue.length ? t.queued + "“" + shorten(queue.join(" / "), 120) + "”" : "";
    announce(queuedNote.textContent);
  }

  /** Send a typed message or a pressed button; on failure keep the text and say why. */
  function send(body, shown, button) {
    if (busy) {
      return Promise.resolve();
    }
    hideError();
    var typed = body.message !== undefined && !button;
    var bubble = addUser(shown);
    if (button) {
      button.disabled = true;
    }
    if (typed) {
      input.value = "";
    }
    if (handoff.state === "bot") {
      showState(handoff, true); // "Trợ lý đã quay lại" gives way once the citizen writes again
    }
    setBusy(true);
    epoch += 1;
    var failed = false;
    return postMessage(body, false)
      .then(function (reply) {
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        addAnswers(messages, true);
        afterTurn(reply);
      })
      .catch(function (failure) {
        failed = true;
        log.removeChild(bubble);
        if (button) {
          button.disabled = false;
        }
        if (typed || queue.length) {
          // Keep what was not sent (and what waited behind it), ahead of anything typed since.
          var kept = (typed ? [shown] : []).concat(queue);
          queue = [];
          showQueued();
          input.value = input.value ? kept.join("\n") + "\n" + input.value : kept.join("\n");
        }
        if (!(failure instanceof HttpError)) {
          showError(t.offline);
        } else if (failure.status === 413) {
          showError(t.tooLarge);
        } else {
          showError(t.busy);
        }
      })
      .then(function () {
        setBusy(false);
        epoch += 1;
        if (!failed && queue.length) {
          var next = queue.shift();
          showQueued();
          send({ message: next }, next, null);
        }
      });
  }

  // ------------------------------------------------------------------------ the history and the desk
  // An officer's reply, the assistant back after a handoff, the answer to a question left with the desk:
  // these are added to the conversation on the server, not in answer to a request of ours. While the
  // page is open the widget reads the history for what it has not shown (often while the panel is open,
  // now and then while it is closed: a count on the button), and the next visit shows what arrived
  // while no page was open. `cursor` counts the history messages the log accounts for; the count the
  // citizen has seen is kept in the browser's storage with the session.
  var POLL_OPEN_MS = 4000;
  var POLL_CLOSED_MS = 15000;
  var POLL_HIDDEN_MS = 60000;
  var seenKey = storageKey + ":seen";
  var loaded = false; // the conversation is drawn in the log
  var cursor = 0;
  var unread = 0;
  var epoch = 0; // changes with every send, so a read started before it is not trusted
  var polling = false;
  var loading = false; // the whole history is being drawn
  var pollTimer = null;
  var skip = null; // positions of a turn already shown, {start, end}
  var handoff = { state: "bot", officer: null };
  var wasWithDesk = false;

  function forgetSession() {
    store.remove(storageKey);
    store.remove(seenKey);
    cursor = 0;
    skip = null;
  }

  function seen() {
    var value = parseInt(store.get(seenKey) || "", 10);
    return isNaN(value) ? null : value;
  }

  function markSeen() {
    if (loaded && isOpen()) {
      store.set(seenKey, String(cursor));
      setUnread(0);
    }
  }

  function setUnread(count) {
    unread = count;
    badge.hidden = !count;
    badge.textContent = count ? String(count > 9 ? "9+" : count) : "";
    updateLauncher();
  }

  function updateLauncher() {
    var label = isOpen() ? t.closeAssistant : unread ? t.openUnread.replace("{n}", String(unread)) : t.open;
    launcher.setAttribute("aria-label", label);
  }

  /** The header says who answers now ("Trợ lý đã quay lại" stays until the citizen writes again:
   * `settle`); a change is announced. */
  function showState(next, settle) {
    var state = next && (next.state === "waiting" || next.state === "staff") ? next.state : "bot";
    var officer = next && typeof next.officer === "string" && next.officer.trim() ? next.officer.trim() : null;
    var back = state === "bot" && wasWithDesk;
    var showingBack = subtitle.textContent === t.back;
    handoff = { state: state, officer: officer };
    wasWithDesk = state !== "bot";
    var words = t.subtitle;
    if (state === "waiting") {
      words = t.waiting;
    } else if (state === "staff") {
      words = officer ? t.staff.replace("{name}", officer) : t.staffUnnamed;
    } else if (back || (showingBack && !settle)) {
      words = t.back;
    }
    if (subtitle.textContent !== words) {
      subtitle.textContent = words;
      if (words !== t.subtitle) {
        announce(words);
      }
    }
    panel.setAttribute("data-handoff", state);
  }

  function noteHandoff(reply) {
    if (reply && reply.handoff && typeof reply.handoff === "object") {
      showState(reply.handoff);
    }
  }

  /** After a sent message: where its turn sits in the history, so a later read shows only the rest. */
  function afterTurn(reply) {
    noteHandoff(reply);
    var turn = reply && reply.turn;
    if (!loaded || !turn || typeof turn.start !== "number" || typeof turn.end !== "number") {
      // Unknown: the next read shows whatever came after the history the log holds.
      schedulePoll(0);
      return;
    }
    if (turn.start <= cursor) {
      cursor = Math.max(cursor, turn.end);
      markSeen();
    } else {
      // Something arrived before this message that the log lacks (an officer's reply): read it now.
      skip = { start: turn.start, end: turn.end };
      schedulePoll(0);
    }
  }

  function historyPath(id, since) {
    var path = "/history?session_id=" + encodeURIComponent(id);
    return since === null ? path : path + "&since=" + since;
  }

  /** Draw the whole conversation (the panel opens for the first time on this page). */
  function loadHistory() {
    loaded = true;
    addWelcome();
    var id = store.get(storageKey);
    if (!id) {
      markSeen();
      schedulePoll(null);
      return;
    }
    var started = epoch;
    loading = true;
    request("GET", historyPath(id, null))
      .then(function (reply) {
        loading = false;
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        // Only the buttons after the citizen's last message still make sense.
        var lastUser = -1;
        messages.forEach(function (m, i) { if (m && m.sender === "user") { lastUser = i; } });
        if (messages.length) {
          deactivateButtons();
        }
        var firstUnseen = null;
        var known = seen();
        var count = typeof reply.count === "number" ? reply.count : messages.length;
        var offset = count - messages.length;
        // A message sent meanwhile is in this history too: the log shows it already.
        var stop = started === epoch ? messages.length : 0;
        messages.slice(0, stop).forEach(function (message, i) {
          var node;
          if (message && message.sender === "user") {
            node = typeof message.text === "string" ? addUser(message.text) : null;
          } else {
            node = addBot(message, i > lastUser);
          }
          if (node && firstUnseen === null && known !== null && offset + i >= known && message.sender !== "user") {
            firstUnseen = node;
          }
        });
        if (stop) {
          cursor = count;
          noteHandoff(reply);
        }
        // Open on what arrived while the citizen was away, else on the latest answer.
        if (firstUnseen) {
          scrollToTop(firstUnseen);
          announce(t.newMessages.replace("{n}", String(unread || 1)));
        } else {
          scrollToEnd();
        }
        markSeen();
        schedulePoll(stop ? null : 0);
      })
      .catch(function (failure) {
        loading = false;
        if (failure instanceof HttpError && failure.status === 403) {
          forgetSession();
        } else if (!(failure instanceof HttpError)) {
          showError(t.offlineHistory);
        }
        schedulePoll(null);
      });
  }

  /** Read what the history holds beyond `cursor`: show it in the log, or count it on the button. */
  function poll() {
    var id = store.get(storageKey);
    if (!id || busy || polling || loading) {
      schedulePoll(null);
      return;
    }
    var since = loaded ? cursor : seen();
    var started = epoch;
    polling = true;
    request("GET", historyPath(id, since === null ? 0 : since))
      .then(function (reply) {
        polling = false;
        if (started !== epoch || busy) {
          return; // a message went out meanwhile: its answer is in the log; read again later
        }
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        var count = typeof reply.count === "number" ? reply.count : (since || 0) + messages.length;
        var first = count - messages.length;
        noteHandoff(reply);
        if (!loaded) {
          if (since === null) {
            store.set(seenKey, String(count)); // a conversation from before this version: all seen
          } else {
            setUnread(messages.filter(function (m) { return m && m.sender !== "user"; }).length);
          }
          return;
        }
        if (count < cursor) {
          cursor = count; // the conversation was restarted on the server
          return;
        }
        var fresh = messages.filter(function (message, i) {
          var position = first + i;
          return position >= cursor && !(skip && position >= skip.start && position < skip.end);
        });
        skip = null;
        cursor = count;
        var users = fresh.filter(function (m) { return m && m.sender === "user"; });
        users.forEach(function (m) { if (typeof m.text === "string") { addUser(m.text); } });
        var bots = fresh.filter(function (m) { return m && m.sender !== "user"; });
        var shown = addAnswers(bots, isOpen());
        if (isOpen()) {
          markSeen();
        } else if (shown) {
          setUnread(unread + shown);
        }
      })
      .catch(function (failure) {
        polling = false;
        if (failure instanceof HttpError && failure.status === 403) {
          forgetSession();
        }
        /* else the next read tries again; sending shows errors */
      })
      .then(function () { schedulePoll(null); });
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (delay === null) {
      delay = document.hidden ? POLL_HIDDEN_MS : isOpen() ? POLL_OPEN_MS : POLL_CLOSED_MS;
    }
    pollTimer = setTimeout(poll, delay);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedulePoll(0);
    }
  });

  // ---------------------------------------------------------------------------------------- open / close

  function isOpen() {
    return !panel.hidden;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.classList.add("is-open");
    updateLauncher();
    try {
      window.sessionStorage.setItem(storageKey + ":open", "1");
    } catch (e) { /* remembering the panel state is a nicety */ }
    if (!loaded) {
      loadHistory();
    } else {
      markSeen();
      schedulePoll(0);
    }
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.classList.remove("is-open");
    updateLauncher();
    try {
      window.sessionStorage.removeItem(storageKey + ":open");
    } catch (e) { /* see open() */ }
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (isOpen()) {
      close();
    } else {
      open();
    }
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  skipLink.addEventListener("click", function (event) {
    event.preventDefault();
    open();
  });
  // A portal's own link to the assistant (href="#tthc-widget") opens it too.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href='#tthc-widget']") : null;
    if (link) {
      event.preventDefault();
      open();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      return;
    }
    if (busy) {
      // Sent as soon as the current answer has arrived; the line above the box says so.
      queue.push(text);
      input.value = "";
      showQueued();
      return;
    }
    send({ message: text }, text, null);
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line; not while an input method is composing a word
    // (Vietnamese keyboards such as Telex compose).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    }
  });

  function mount() {
    if (data.skipLink !== "off") {
      document.body.insertBefore(skipHost, document.body.firstChild);
    }
    document.body.appendChild(host);
    var wasOpen = false;
    try {
      wasOpen = window.sessionStorage.getItem(storageKey + ":open") === "1";
    } catch (e) { /* see open() */ }
    if (wasOpen) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.classList.add("is-open");
      updateLauncher();
      loadHistory();
    } else {
      // A conversation from an earlier visit: read now what arrived since (the count on the button).
      schedulePoll(0);
    }
    if (window.location.hash === "#tthc-widget") {
      open();
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
