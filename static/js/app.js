/*
 * Small progressive enhancements. Every page works without this file:
 * the mobile menu is a <details> element and messages are plain text.
 * No inline handlers anywhere (the Content-Security-Policy forbids them).
 */
(function () {
  "use strict";

  /* Messages: reveal the close buttons and let them remove their alert. */
  function revealDismissButtons(root) {
    root.querySelectorAll("[data-dismiss-alert][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss-alert]");
    if (!button) {
      return;
    }
    var alert = button.closest(".alert");
    if (alert) {
      alert.remove();
    }
    // Keep keyboard focus somewhere sensible once the button is gone.
    var main = document.getElementById("main");
    if (main) {
      main.focus({ preventScroll: true });
    }
  });

  /* Forms that change a lot at once ask first (data-confirm="question"). */
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  /* Mobile menu: close it with Escape or a click outside. */
  function closeMenus(except) {
    document.querySelectorAll("[data-nav-menu][open]").forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = document.querySelector("[data-nav-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("[data-nav-menu]"));
  });

  function init(root) {
    revealDismissButtons(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }

  // Content that htmx swaps in gets the same treatment.
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();

// Reports: a "Print" button (shown only when script runs; browsers print with Ctrl+P anyway).
(function () {
  "use strict";
  function initPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initPrint);
  } else {
    initPrint();
  }
})();

/*
 * After htmx swaps: keep keyboard focus where the person was, and announce the change
 * once, from the permanent status region in base.html (#status-region).
 *
 * Focus: before a swap that replaces the focused control, remember its key
 * (data-focus-key, else its id, else its form's action plus the button's name=value),
 * its row (the nearest [data-focus-row]), its form and its place among the row's
 * controls. After the swap, focus the control with the same key; else the first one in
 * the same form of the same row (Pause becomes Resume; a disabled Move up leaves Move
 * down), or at the same place in that row; else the first control of the row after,
 * then of the row before; else the swapped block's heading (or the block), made
 * focusable with tabindex=-1. Nothing is thrown back to the top of the page.
 *
 * Announcements: a server response carries its text in data-announce (the value, or
 * the element's text when empty) on the swapped-in content or on a message sent
 * out-of-band. Every such element is announced once, all of one swap together.
 */
(function () {
  "use strict";

  var FOCUSABLE =
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";

  function canFocus(el) {
    return !!el && !el.disabled && el.getClientRects().length > 0 && !el.closest("[hidden], [inert]");
  }

  function controls(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), canFocus);
  }

  function focusKey(el) {
    if (el.getAttribute("data-focus-key")) {
      return "key:" + el.getAttribute("data-focus-key");
    }
    if (el.id) {
      return "id:" + el.id;
    }
    if (el.form) {
      return "form:" + (el.form.getAttribute("action") || "") + "|" + (el.name || "") + "=" + (el.value || "");
    }
    return "";
  }

  function findByKey(key) {
    if (key.indexOf("key:") === 0) {
      return document.querySelector('[data-focus-key="' + CSS.escape(key.slice(4)) + '"]');
    }
    if (key.indexOf("id:") === 0) {
      return document.getElementById(key.slice(3));
    }
    if (key.indexOf("form:") === 0) {
      var found = null;
      document.querySelectorAll("form button, form input, form select, form textarea").forEach(function (el) {
        if (!found && focusKey(el) === key) {
          found = el;
        }
      });
      return found;
    }
    return null;
  }

  function findRow(key) {
    return key ? document.querySelector('[data-focus-row="' + CSS.escape(key) + '"]') : null;
  }

  function focus(el) {
    if (!canFocus(el) && !(el && el.getAttribute("tabindex") === "-1")) {
      return false;
    }
    el.focus();
    return document.activeElement === el;
  }

  var remembered = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    remembered = null;
    if (!target || !active || active === document.body || !target.contains(active)) {
      return;
    }
    var row = active.closest("[data-focus-row]");
    var rowKeys = Array.prototype.map.call(target.querySelectorAll("[data-focus-row]"), function (r) {
      return r.getAttribute("data-focus-row");
    });
    var rowKey = row ? row.getAttribute("data-focus-row") : "";
    var at = rowKeys.indexOf(rowKey);
    remembered = {
      key: focusKey(active),
      row: rowKey,
      place: row ? controls(row).indexOf(active) : -1,
      form: row && active.form ? Array.prototype.indexOf.call(row.querySelectorAll("form"), active.form) : -1,
      after: at >= 0 ? rowKeys.slice(at + 1) : [],
      before: at >= 0 ? rowKeys.slice(0, at).reverse() : [],
      block: target.id,
    };
  });

  function restoreFocus(memory) {
    var el = memory.key ? findByKey(memory.key) : null;
    if (el && focus(el)) {
      return;
    }
    var row = findRow(memory.row);
    if (row) {
      // The same form first (Pause becomes Resume; a disabled Move up leaves Move down).
      var form = memory.form >= 0 ? row.querySelectorAll("form")[memory.form] : null;
      var inForm = form ? controls(form) : [];
      if (inForm.length && focus(inForm[0])) {
        return;
      }
      var inRow = controls(row);
      if (inRow.length && focus(inRow[Math.min(Math.max(memory.place, 0), inRow.length - 1)])) {
        return;
      }
    }
    var neighbours = memory.after.concat(memory.before);
    for (var i = 0; i < neighbours.length; i += 1) {
      var other = findRow(neighbours[i]);
      var first = other ? controls(other)[0] : null;
      if (first && focus(first)) {
        return;
      }
    }
    var block = memory.block ? document.getElementById(memory.block) : null;
    if (!block) {
      return;
    }
    var landing = block.querySelector("[data-focus-fallback]") || block.querySelector("h1, h2, h3") || block;
    if (!landing.hasAttribute("tabindex")) {
      landing.setAttribute("tabindex", "-1");
    }
    landing.focus();
  }

  var announced = new WeakSet();
  var region = null;

  function markAnnounced(root) {
    root.querySelectorAll("[data-announce]").forEach(function (el) {
      announced.add(el);
    });
  }

  function announce(text) {
    region = region || document.getElementById("status-region");
    if (!region || !text) {
      return;
    }
    // Emptied first so that the same words twice in a row are still read out.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function announceFresh() {
    var fresh = Array.prototype.filter.call(document.querySelectorAll("[data-announce]"), function (el) {
      return !announced.has(el);
    });
    fresh.forEach(function (el) {
      announced.add(el);
    });
    // An action's message ("Ada is paused.") says what happened; the list's own count
    // that came with it would only repeat the page, so it is read out for filters alone.
    var messages = fresh.filter(function (el) {
      return el.closest("#messages");
    });
    var texts = [];
    (messages.length ? messages : fresh).forEach(function (el) {
      var text = (el.getAttribute("data-announce") || el.textContent).replace(/\s+/g, " ").trim();
      if (text && texts.indexOf(text) < 0) {
        texts.push(text);
      }
    });
    if (texts.length) {
      announce(texts.join(" "));
    }
  }

  // htmx fires afterSettle once per settled element; the first one of a swap does the work.
  document.addEventListener("htmx:afterSettle", function () {
    var memory = remembered;
    remembered = null;
    // htmx itself keeps focus on an element whose id survives; this also covers the rest.
    if (memory) {
      restoreFocus(memory);
    }
    announceFresh();
  });

  /* A form that comes back with errors: focus its error summary, which links to the fields. */
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  function start() {
    markAnnounced(document);
    focusErrorSummary(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) {
      focusErrorSummary(event.target);
    }
  });
})();
