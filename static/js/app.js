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
