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

// the week as a time grid: slots placed at their time, as tall as they last; a click on a free time opens
// the form for a slot there; a slot dragged (pointer events) to another day or time moves there, its
// lower edge dragged changes its length; on a phone the day picker shows one day at a time. The "Move"
// link of each slot does the same from the keyboard.
(function () {
  "use strict";
  var PX = 48 / 60, SNAP = 5, MIN_H = 40;  // pixels a minute (an hour is 48 px, as in week.css)
  function hhmm(m) { m = Math.round(m); return ("0" + Math.floor(m / 60)).slice(-2) + ":" + ("0" + m % 60).slice(-2); }
  function snap(m) { return Math.round(m / SNAP) * SNAP; }
  document.addEventListener("DOMContentLoaded", function () {
    var cal = document.getElementById("week");
    if (!cal || !cal.dataset.first) return;
    var first = +cal.dataset.first * 60, height = +cal.dataset.hours * 60 * PX;
    var cols = Array.prototype.slice.call(cal.querySelectorAll(".cal-col"));
    cols.forEach(function (col) {
      col.style.height = height + "px";
      var lanes = [];
      col.querySelectorAll(".cal-slot").forEach(function (el) {  // side by side where they overlap
        var top = (+el.dataset.start - first) * PX, h = Math.max(MIN_H, +el.dataset.len * PX);
        var lane = 0;
        while (lanes[lane] > top) lane++;
        lanes[lane] = top + h;
        el.style.top = top + "px"; el.style.height = h + "px"; el.dataset.lane = lane;
      });
      col.querySelectorAll(".cal-slot").forEach(function (el) {
        var n = lanes.length, lane = +el.dataset.lane;
        el.style.left = (100 * lane / n) + "%"; el.style.width = "calc(" + (100 / n) + "% - 4px)";
      });
      var now = col.querySelector(".now-line");
      if (now) now.style.top = (+now.dataset.start - first) * PX + "px";
      col.addEventListener("click", function (e) {  // a free time: the form for a slot there
        if (e.target !== col) return;
        var m = snap((e.clientY - col.getBoundingClientRect().top) / PX + first);
        window.location.href = col.dataset.add + "&at=" + encodeURIComponent(hhmm(Math.min(m, 24 * 60 - SNAP))) + "#rule-form";
      });
    });
    cal.classList.add("placed");

    var drag = null;
    cal.querySelectorAll(".cal-slot.free").forEach(function (el) {
      el.addEventListener("pointerdown", function (e) {
        if (e.button !== 0 || e.target.closest("a, button")) return;
        e.preventDefault();
        drag = {el: el, grip: e.target.classList.contains("grip"), x: e.clientX, y: e.clientY, top: el.offsetTop,
                col: el.parentNode, to: el.parentNode, moved: false, label: el.querySelector("b"),
                text: el.querySelector("b").textContent};
        el.setPointerCapture(e.pointerId);
      });
      el.addEventListener("pointermove", function (e) {
        if (!drag || drag.el !== el) return;
        var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
        drag.moved = true;
        el.classList.add("dragging");
        if (drag.grip) {
          var len = Math.max(SNAP, snap(+el.dataset.len + dy / PX));
          drag.minutes = len;
          el.style.height = Math.max(MIN_H, len * PX) + "px";
          drag.label.textContent = drag.text + " · " + len + " min";
          return;
        }
        drag.to = cols.filter(function (c) {
          var r = c.getBoundingClientRect();
          return c.offsetParent !== null && e.clientX >= r.left && e.clientX < r.right;
        })[0] || drag.to;
        var shift = drag.to.getBoundingClientRect().left - drag.col.getBoundingClientRect().left;
        var m = Math.min(Math.max(snap((drag.top + dy) / PX + first), 0), 24 * 60 - SNAP);
        drag.at = hhmm(m);
        el.style.top = (m - first) * PX + "px";
        el.style.transform = "translateX(" + shift + "px)";
        drag.label.textContent = drag.at;
      });
      function drop(e) {
        if (!drag || drag.el !== el) return;
        var d = drag;
        drag = null;
        if (!d.moved) return;
        if (e.type === "pointercancel") { window.location.reload(); return; }
        var f;
        if (d.grip) {
          f = document.getElementById("drag-resize");
          f.elements.minutes.value = d.minutes;
        } else {
          if (d.to === d.col && d.at === el.dataset.time) { el.style.transform = ""; el.classList.remove("dragging"); return; }
          f = document.getElementById("drag-move");
          f.elements.to_day.value = d.to.dataset.day;
          f.elements.to_time.value = d.at;
        }
        f.elements.rule_id.value = el.dataset.rule;
        f.elements.day.value = el.dataset.day;
        f.submit();
      }
      el.addEventListener("pointerup", drop);
      el.addEventListener("pointercancel", drop);
    });

    document.querySelectorAll(".day-picker a[data-pick]").forEach(function (a) {  // a phone: one day at a time
      a.addEventListener("click", function (e) {
        e.preventDefault();
        document.querySelectorAll(".day-picker a").forEach(function (x) { x.removeAttribute("aria-current"); });
        a.setAttribute("aria-current", "date");
        cal.querySelectorAll(".cal-day, .cal-col").forEach(function (x) {
          x.classList.toggle("shown", x.dataset.day === a.dataset.pick);
        });
        if (window.history.replaceState) window.history.replaceState(null, "", a.href);
      });
    });
  });
})();
