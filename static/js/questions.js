/*
 * The profile-question form: show the "Choices" box only for single and multiple
 * choice questions. Without this file the box is always shown and the server
 * ignores it for other types.
 */
(function () {
  "use strict";

  var CHOICE_KINDS = ["single_choice", "multi_choice"];

  function sync(form) {
    var select = form.querySelector("[data-question-kind] select");
    var choices = form.querySelector("[data-question-choices]");
    if (!select || !choices) {
      return;
    }
    choices.hidden = CHOICE_KINDS.indexOf(select.value) === -1;
  }

  function init(root) {
    root.querySelectorAll("[data-question-kind]").forEach(function (wrapper) {
      var form = wrapper.closest("form");
      if (form) {
        sync(form);
      }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest("[data-question-kind]")) {
      sync(event.target.closest("form"));
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
