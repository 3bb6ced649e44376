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
      close: "Đóng khung trò chuyện",
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
      close: "Close the chat",
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
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "tthc-panel");
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
  heading.appendChild(el("p", "subtitle", t.subtitle));
  var closeButton = el("button", "close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", t.close);
  closeButton.appendChild(svgIcon("M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z"));
  header.appendChild(heading);
  header.appendChild(closeButton);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", t.log);
  log.tabIndex = 0;

  var typing = el("div", "typing");
  typing.setAttribute("role", "status");
  typing.hidden = true;
  typing.appendChild(el("span", "dot"));
  typing.appendChild(el("span", "dot"));
  typing.appendChild(el("span", "dot"));
  typing.appendChild(srOnly(t.typing));

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
  panel.appendChild(error);
  panel.appendChild(form);
  panel.appendChild(el("p", "privacy", t.privacy));
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------------------------------- rendering

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
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
      node.addEventListener("click", function () {
        if (node.disabled || busy) {
          return;
        }
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

  /** The procedure card of a `procedure_answer` custom payload (every value rendered as text). */
  function renderCard(card) {
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
    var more = typeof card.documents_more === "number" ? card.documents_more : 0;
    addSection(node, t.card.documents, strings(card.documents), more);
    addSection(node, t.card.cases, strings(card.cases), 0);
    if (typeof card.where === "string" && card.where.trim()) {
      addSection(node, t.card.where, [card.where.trim()], 0);
    }
    addSection(node, t.card.time, strings(card.processing_time), 0);
    addSection(node, t.card.fee, strings(card.fee), 0);
    var channels = strings(card.channels);
    if (typeof card.online_level === "string" && card.online_level.trim()) {
      channels.push(t.card.online + card.online_level.trim());
    }
    addSection(node, t.card.channels, channels, 0);
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

  function addBot(message, active) {
    if (!message || typeof message !== "object") {
      return;
    }
    var item = el("div", "msg bot");
    item.appendChild(srOnly(t.bot));
    var custom = message.custom;
    noteHandoff(custom);
    var card = custom && custom.type === "procedure_answer" ? renderCard(custom.card) : null;
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
    }
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
          store.remove(storageKey);
          return postMessage(body, true);
        }
        throw failure;
      });
    });
  }

  var busy = false;

  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
    if (value) {
      scrollToEnd();
    }
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
    setBusy(true);
    return postMessage(body, false)
      .then(function (reply) {
        deactivateButtons();
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        messages.forEach(function (message) { addBot(message, true); });
        scrollToEnd();
      })
      .catch(function (failure) {
        log.removeChild(bubble);
        if (button) {
          button.disabled = false;
        }
        if (typed) {
          // Keep what was not sent, ahead of anything typed since.
          input.value = input.value ? shown + "\n" + input.value : shown;
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
      });
  }

  var loaded = false;

  function loadHistory() {
    loaded = true;
    addWelcome();
    var id = store.get(storageKey);
    if (!id) {
      return;
    }
    request("GET", "/history?session_id=" + encodeURIComponent(id))
      .then(function (reply) {
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        // Only the buttons after the citizen's last message still make sense.
        var lastUser = -1;
        messages.forEach(function (m, i) { if (m && m.sender === "user") { lastUser = i; } });
        if (messages.length) {
          deactivateButtons();
        }
        messages.forEach(function (message, i) {
          if (message && message.sender === "user") {
            if (typeof message.text === "string") {
              addUser(message.text);
            }
          } else {
            addBot(message, i > lastUser);
          }
        });
        scrollToEnd();
      })
      .catch(function (failure) {
        if (failure instanceof HttpError && failure.status === 403) {
          store.remove(storageKey);
        } else if (!(failure instanceof HttpError)) {
          showError(t.offlineHistory);
        }
      });
  }

  // --------------------------------------------------------------------------- replies from the desk
  // While a conversation is with one-stop-desk staff (the bot sent a "handoff" payload), an officer's
  // reply is added to the conversation on the server, not sent in answer to a request of ours: poll
  // the history for replies not shown yet, only while the panel is open and the handoff lasts.
  var STAFF_POLL_MS = 5000;
  var handoffOpen = false;
  var staffShown = 0;

  function noteHandoff(custom) {
    var type = custom && custom.type;
    if (type === "handoff") {
      // A ticket is open until staff release it; the assistant keeps answering meanwhile, so its
      // other answers do not end the polling (an officer may reply at any time).
      handoffOpen = custom.status !== "released";
    } else if (type === "staff_reply") {
      staffShown += 1;
    }
  }

  function pollStaffReplies() {
    var id = store.get(storageKey);
    if (!handoffOpen || busy || !id || panel.hidden) {
      return;
    }
    request("GET", "/history?session_id=" + encodeURIComponent(id))
      .then(function (reply) {
        var messages = Array.isArray(reply.messages) ? reply.messages : [];
        var replies = messages.filter(function (m) {
          return m && m.sender !== "user" && m.custom && m.custom.type === "staff_reply";
        });
        var fresh = replies.slice(staffShown);
        fresh.forEach(function (message) { addBot(message, false); });
        if (fresh.length) {
          scrollToEnd();
        }
      })
      .catch(function () { /* the next poll tries again; sending shows errors */ });
  }

  window.setInterval(pollStaffReplies, STAFF_POLL_MS);

  // ---------------------------------------------------------------------------------------- open / close

  function isOpen() {
    return !panel.hidden;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.classList.add("is-open");
    try {
      window.sessionStorage.setItem(storageKey + ":open", "1");
    } catch (e) { /* remembering the panel state is a nicety */ }
    if (!loaded) {
      loadHistory();
    }
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.classList.remove("is-open");
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

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) {
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
    document.body.appendChild(host);
    var wasOpen = false;
    try {
      wasOpen = window.sessionStorage.getItem(storageKey + ":open") === "1";
    } catch (e) { /* see open() */ }
    if (wasOpen) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.classList.add("is-open");
      loadHistory();
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
