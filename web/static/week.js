// issue 14: the rule form shows only the fields of the chosen kind (weekly, daily, every few minutes,
// once); fields of other kinds are hidden and not sent.
(function () {
  "use strict";
  function show(form) {
    var kind = form.querySelector("select[name=kind]").value;
    form.querySelectorAll(".for-kind").forEach(function (box) {
      var on = box.dataset.kinds.split(" ").indexOf(kind) >= 0;
      box.hidden = !on;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("rule-form");
    if (!form || !form.querySelector("select[name=kind]")) return;
    form.querySelector("select[name=kind]").addEventListener("change", function () { show(form); });
    show(form);
  });
})();

// the music upload with a progress bar: sent in the background, then the page the server answers
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("playlist-form"), bar = document.getElementById("upload-progress");
    if (!form || !bar || !window.FormData) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var xhr = new XMLHttpRequest(), status = document.getElementById("upload-status");
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); status.textContent = bar.value + "%"; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href) { window.location.href = xhr.responseURL; return; }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener("error", function () { form.submit(); });
      bar.hidden = false;
      xhr.send(new FormData(form));
    });
  });
})();

// the week: a slot dragged to another day moves there at the same time (the "Move" link does the same
// from the keyboard, with any day and time)
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("drag-move");
    if (!form) return;
    var dragged = null;
    document.querySelectorAll(".slot[draggable=true]").forEach(function (el) {
      el.addEventListener("dragstart", function (e) { dragged = el; e.dataTransfer.setData("text/plain", el.dataset.uid); });
    });
    document.querySelectorAll(".day[data-day]").forEach(function (day) {
      day.addEventListener("dragover", function (e) { if (dragged) { e.preventDefault(); day.classList.add("drop"); } });
      day.addEventListener("dragleave", function () { day.classList.remove("drop"); });
      day.addEventListener("drop", function (e) {
        e.preventDefault();
        day.classList.remove("drop");
        if (!dragged || day.dataset.day === dragged.dataset.day) return;
        form.elements.rule_id.value = dragged.dataset.rule;
        form.elements.day.value = dragged.dataset.day;
        form.elements.to_day.value = day.dataset.day;
        form.elements.to_time.value = dragged.dataset.time;
        form.submit();
      });
    });
  });
})();
