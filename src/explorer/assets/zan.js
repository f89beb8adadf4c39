// The explorer's one script: it only improves pages that work without it.
// Try a case: choosing an example loads it (the same as pressing "Load the example").
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var example = document.getElementById("example");
    var load = document.getElementById("load-example");
    var form = document.getElementById("try-case");
    var isStatic = document.getElementById("static-note");
    if (example && load && form && !isStatic) {
      example.addEventListener("change", function () {
        if (form.requestSubmit) { form.requestSubmit(load); } else { load.click(); }
      });
    }
    // A sentence linked to: open its paragraph's details, if any, and focus it for the keyboard.
    function focusTarget() {
      var id = decodeURIComponent(location.hash.slice(1));
      var el = id && document.getElementById(id);
      if (el && el.classList.contains("sentence")) {
        el.setAttribute("tabindex", "-1");
        el.focus({ preventScroll: false });
      }
    }
    window.addEventListener("hashchange", focusTarget);
    focusTarget();
  });
})();
