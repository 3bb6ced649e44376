// Shared code of the staff pages: API calls with the CSRF token, safe DOM building, navigation.
// Every piece of data is put on the page with textContent (never innerHTML): what staff or citizens
// typed is shown as text, markup included.
"use strict";

(function () {
  const API = "/api/staff/v1";
  const state = { user: null, csrf: "" };

  // Build an element. Strings and numbers become text nodes; attributes are set one by one.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "onclick" || key === "onsubmit" || key === "onchange" || key === "oninput") {
        node.addEventListener(key.slice(2), value);
      } else if (key === "href") node.setAttribute("href", safeHref(value));
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Only this site's paths and http(s) links: never javascript: or data: URLs.
  function safeHref(value) {
    const text = String(value);
    if (text.startsWith("/") && !text.startsWith("//")) return text;
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (_err) { /* not a URL */ }
    return "#";
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  class ApiError extends Error {
    constructor(status, message, errors) {
      super(message);
      this.status = status;
      this.errors = errors || [];
    }
  }

  async function api(method, path, body, options) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch (_err) {
      throw new ApiError(0, "Không kết nối được máy chủ. Vui lòng kiểm tra mạng rồi thử lại.");
    }
    if (response.status === 401 && !(options && options.noRedirect)) {
      const next = encodeURIComponent(location.pathname + location.search);
      location.assign("/staff/login?next=" + next);
      throw new ApiError(401, "Phiên làm việc đã hết. Vui lòng đăng nhập lại.");
    }
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("application/json")) data = await response.json();
    if (!response.ok) {
      const message = (data && typeof data.detail === "string" && data.detail) ||
        "Có lỗi xảy ra (mã " + response.status + "). Vui lòng thử lại.";
      throw new ApiError(response.status, message, data && data.errors);
    }
    return data;
  }

  function toast(message, kind) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.className = "toast show " + (kind || "ok");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.className = "toast"; }, 4000);
  }

  // Show an error next to a form (and mark the fields it names).
  function showError(target, error) {
    const box = typeof target === "string" ? document.getElementById(target) : target;
    if (box) {
      box.textContent = error.message || String(error);
      box.hidden = false;
    }
    if (error.errors) {
      for (const item of error.errors) {
        const field = document.querySelector('[name="' + CSS.escape(item.field || "") + '"]');
        if (field) field.setAttribute("aria-invalid", "true");
      }
    }
  }

  function hideError(target) {
    const box = typeof target === "string" ? document.getElementById(target) : target;
    if (box) { box.textContent = ""; box.hidden = true; }
    for (const field of document.querySelectorAll('[aria-invalid="true"]')) field.removeAttribute("aria-invalid");
  }

  const dateTime = new Intl.DateTimeFormat("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  const dateOnly = new Intl.DateTimeFormat("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
  });

  function fmtDateTime(iso) { return iso ? dateTime.format(new Date(iso)) : ""; }
  function fmtDate(isoDay) { return isoDay ? dateOnly.format(new Date(isoDay + "T00:00:00+07:00")) : ""; }
  function fmtPercent(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1).replace(".", ",") + " %";
  }

  const NAV = [
    ["inbox", "Hộp thư", "editor"],
    ["faq", "Câu hỏi thường gặp", "editor"],
    ["life_events", "Sự kiện cuộc sống", "editor"],
    ["fees", "Phí, lệ phí", "editor"],
    ["offices", "Văn phòng một cửa", "editor"],
    ["procedures", "Thủ tục", "editor"],
    ["dashboard", "Thống kê", "editor"],
    ["import", "Nhập dữ liệu", "admin"],
    ["users", "Người dùng", "admin"],
    ["audit", "Nhật ký", "admin"],
    ["settings", "Cài đặt", "admin"],
  ];

  function renderNav() {
    const nav = document.getElementById("nav");
    const page = document.body.dataset.page;
    if (nav) {
      clear(nav);
      for (const [name, label, role] of NAV) {
        if (role === "admin" && state.user.role !== "admin") continue;
        nav.appendChild(el("a", {
          href: "/staff/" + name, class: name === page ? "active" : null,
          "aria-current": name === page ? "page" : null, text: label, dataset: { page: name },
        }));
      }
    }
    const who = document.getElementById("who");
    if (who) {
      clear(who);
      append(who, [
        el("a", { href: "/staff/account", text: state.user.display_name || state.user.username }),
        el("span", { class: "role", text: state.user.role_label }),
      ]);
    }
    const logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", async () => {
        try { await api("POST", "/auth/logout"); } catch (_err) { /* signed out anyway */ }
        location.assign("/staff/login");
      });
    }
  }

  // The inbox counter: "Hộp thư (N)" in the menu and N in the tab title on every page, N being the
  // citizens waiting for an officer (tickets nobody has taken, tickets to call back). Polled from
  // /inbox/counts (one small query); the inbox page polls faster and listens (`watchInbox`).
  const inbox = { every: 20000, timer: null, busy: false, listeners: [], title: document.title };

  function showInboxCount(counts) {
    const n = counts.attention || 0;
    const link = document.querySelector('#nav a[data-page="inbox"]');
    if (link) {
      link.textContent = n > 0 ? "Hộp thư (" + n + ")" : "Hộp thư";
      link.classList.toggle("waiting", n > 0);
    }
    const base = inbox.title;
    if (n <= 0) document.title = base;
    else if (base.startsWith("Hộp thư")) document.title = base.replace("Hộp thư", "Hộp thư (" + n + ")");
    else document.title = "(" + n + ") " + base;
  }

  async function pollInbox() {
    clearTimeout(inbox.timer);
    inbox.busy = true;
    try {
      const counts = await api("GET", "/inbox/counts", undefined, { noRedirect: true });
      showInboxCount(counts);
      for (const listener of inbox.listeners) await listener(counts);
    } catch (err) {
      if (err.status === 401) { inbox.busy = false; return; } // signed out: the next action says so
    }
    inbox.busy = false;
    inbox.timer = setTimeout(pollInbox, inbox.every);
  }

  // Poll every `every` ms from now on and call `listener(counts)` after each poll.
  function watchInbox(every, listener) {
    inbox.every = every;
    if (listener) inbox.listeners.push(listener);
    if (!inbox.busy) {
      clearTimeout(inbox.timer);
      inbox.timer = setTimeout(pollInbox, every);
    }
  }

  // Every page but the login page starts here: who is signed in, the CSRF token, the menu.
  async function init() {
    const me = await api("GET", "/auth/me");
    state.user = me.user;
    state.csrf = me.csrf_token;
    renderNav();
    pollInbox();
    return state.user;
  }

  function badge(text, kind) { return el("span", { class: "badge " + (kind || ""), text }); }

  function params() { return new URLSearchParams(location.search); }

  window.Staff = {
    api, el, append, clear, toast, showError, hideError, init, badge, params, state,
    fmtDateTime, fmtDate, fmtPercent, ApiError, watchInbox, showInboxCount,
  };
})();
