// The review screen's keyboard and evidence behaviour. Served by the app (no CDN), no inline script.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var editForm = document.getElementById("edit-form");
    var noteView = document.getElementById("note-view");
    var editing = false;

    function startEdit() {
      if (!editForm) { return; }
      editing = true;
      editForm.hidden = false;
      noteView.hidden = true;
      editForm.querySelector("textarea").focus();
    }
    function stopEdit() {
      if (!editForm) { return; }
      editing = false;
      editForm.hidden = true;
      noteView.hidden = false;
    }
    var editButton = document.getElementById("edit-button");
    if (editButton) { editButton.addEventListener("click", startEdit); }
    var cancel = document.getElementById("cancel-edit");
    if (cancel) { cancel.addEventListener("click", stopEdit); }

    // Signing freezes the record: ask once.
    var signForm = document.getElementById("sign-form");
    if (signForm) {
      signForm.addEventListener("submit", function (event) {
        if (!window.confirm("Sign these notes? Signed notes become the record and change only by amendment.")) {
          event.preventDefault();
        }
      });
    }

    // A statement lights the transcript words it rests on.
    var statements = Array.prototype.slice.call(document.querySelectorAll(".note .statement"));
    function light(span, on) {
      var ids = (span.getAttribute("data-statements") || "").split(" ");
      span.classList.toggle("lit", on);
      var first = null;
      ids.forEach(function (id) {
        if (!id) { return; }
        document.querySelectorAll('#transcript .evidence[data-statements~="' + id + '"]').forEach(function (mark) {
          mark.classList.toggle("lit", on);
          if (on && !first) { first = mark; }
        });
      });
      if (first) { first.scrollIntoView({block: "center", behavior: "smooth"}); }
    }
    statements.forEach(function (span) {
      span.tabIndex = 0;
      span.addEventListener("mouseenter", function () { light(span, true); });
      span.addEventListener("mouseleave", function () { light(span, false); });
      span.addEventListener("focus", function () { light(span, true); });
      span.addEventListener("blur", function () { light(span, false); });
      span.addEventListener("click", function () { span.focus(); });
    });

    var help = document.getElementById("help");
    var helpToggle = document.getElementById("help-toggle");
    if (helpToggle && help) { helpToggle.addEventListener("click", function () { help.hidden = !help.hidden; }); }

    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.key === "Escape" && editing) { stopEdit(); return; }
      if (tag === "textarea" || tag === "input" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var current = statements.indexOf(document.activeElement);
      if (event.key === "e") { event.preventDefault(); startEdit(); }
      else if (event.key === "j" && statements.length) { statements[(current + 1) % statements.length].focus(); }
      else if (event.key === "k" && statements.length) {
        statements[(current - 1 + statements.length) % statements.length].focus();
      }
      else if (event.key === "g") { var r = document.getElementById("regenerate-button"); if (r) { r.focus(); } }
      else if (event.key === "s") { var s = document.getElementById("sign-button"); if (s) { s.focus(); } }
      else if (event.key === "?" && help) { help.hidden = !help.hidden; }
    });

    // While a job runs, reload to show its result, but never while the clinician is typing.
    var refresh = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
    if (refresh > 0) {
      window.setInterval(function () { if (!editing) { window.location.reload(); } }, refresh * 1000);
    }
  });
}());
