// PA Broadcaster panel: live now-playing (SSE), script preview, listen-before-approve, browser recording.
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

  // -- now playing, live from /events (read from the database on the server; same layout as _now.html) ----
  function renderNow(root, zones) {
    if (!zones) return;
    const L = JSON.parse(root.dataset.labels || "{}");
    const hhmmss = (iso) => { const d = new Date(iso); return isNaN(d) ? "-" : d.toTimeString().slice(0, 8); };
    root.replaceChildren();
    for (const [name, z] of Object.entries(zones)) {
      const box = el("div", "zone"); box.dataset.zone = name;
      const h = el("h3", "", L.zone + " " + (z.label || name) + " ");
      if (z.running) h.append(el("span", "badge " + (z.device_ok ? "ok" : "bad"), L.device + ": " + (z.device_ok ? L.ok : L.fault)), " ", el("small", "muted", z.sink));
      box.append(h);
      if (!z.running) box.append(el("p", "badge bad player-down", z.player ? L.lost + " " + (z.last_seen ? hhmmss(z.last_seen) : "-") + " (" + z.player + ")" : L.no_player));
      const p = el("p", "onair");
      if (z.now) {
        p.append(el("span", "kind k-" + z.now.kind, z.now.said || L["k_" + z.now.kind] || z.now.kind), " ", el("b", "now-title", z.now.title), " ",
                 el("small", "", z.now.position + "s"));
      } else { p.append(el("span", "muted", L.nothing)); }
      box.append(p);
      if (z.music) box.append(el("p", "", L.music + ": " + z.music.title + " (" + Math.round(z.music_gain * 100) + "%)"));
      box.append(el("h4", "", L.waiting));
      if (z.waiting.length) {
        const ol = el("ol", "queue");
        for (const q of z.waiting) {
          const li = el("li", "w-" + q.state);
          li.append(el("span", "kind k-" + q.kind, q.said || L["k_" + q.kind] || q.kind), " " + q.title + " ");
          if (q.state !== "waiting") li.append(el("small", "", L[q.state] || q.state));
          ol.append(li);
        }
        box.append(ol);
        const more = (z.waiting_count || 0) - z.waiting.length;
        if (more > 0) box.append(el("p", "muted", "+" + more));
      } else { box.append(el("p", "muted", L.none_waiting)); }
      root.append(box);
    }
  }
  function live() {
    const root = $("#now");
    if (!root || !window.EventSource) return;
    const es = new EventSource(root.dataset.events);
    const badge = $("#live");
    es.addEventListener("snapshot", (ev) => {
      const data = JSON.parse(ev.data);
      renderNow(root, data.zones);
      const board = $("#board");  // faults and open cases, rendered by the server (escaped) as on the page
      if (board && data.board !== undefined && data.board !== board.dataset.last && !board.contains(document.activeElement)) {
        board.dataset.last = data.board;
        board.innerHTML = data.board;
      }
      if (badge) { badge.classList.add("ok"); badge.title = data.at; }
      const away = $("#db-away");
      if (away) away.remove();  // the database is back
    });
    es.addEventListener("outage", (ev) => {  // the database out of reach: said at the top of the page
      const said = JSON.parse(ev.data);
      let away = $("#db-away");
      if (!away) {
        away = document.createElement("section");
        away.id = "db-away";
        away.className = "card outage";
        away.setAttribute("role", "alert");
        document.querySelector("main").prepend(away);
      }
      away.replaceChildren();
      for (const [tag, text] of [["h2", said.title], ["p", said.message], ["p", said.todo]]) {
        const el = document.createElement(tag);
        el.textContent = text;
        away.append(el);
      }
      if (badge) badge.classList.remove("ok");
    });
    es.onerror = () => { if (badge) badge.classList.remove("ok"); };  // EventSource reconnects by itself
  }

  // -- the urgent page's words, per language, before it airs (nothing stored) ----------------------------
  function pagePreview() {
    const btn = $("#preview-page"), box = $("#page-preview"); if (!btn || !box) return;
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const resp = await fetch(box.dataset.url, { method: "POST", body: new FormData($("#urgent-form")), headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
        const data = await resp.json();
        box.replaceChildren();
        for (const old of document.querySelectorAll(".preview-error")) old.remove();
        if (data.texts) for (const t of data.texts) { const p = el("p", "said"); p.lang = t.lang; p.append(el("small", "muted", t.name + " "), t.text); box.append(p); }
        else for (const [name, msg] of Object.entries(data.errors || {})) {  // beside its field, where it has one
          const input = document.getElementById("f-" + name), pair = input ? null : $(`.pair [name="${name === "clothing" ? "top" : name === "shoes" ? "shoes_type" : name}"]`);
          const place = input ? input.closest("label") : pair ? pair.closest(".pair") : null;
          if (place) { place.append(el("span", "field-error preview-error", msg)); const d = place.closest("details"); if (d) d.open = true; }
          else box.append(el("p", "field-error preview-error", msg));
        }
      } finally { btn.disabled = false; }
    });
  }

  // -- script preview ---------------------------------------------------------------------------------
  function preview() {
    const btn = $("#preview"); if (!btn) return;
    btn.addEventListener("click", async () => {
      const status = $("#preview-status"), audio = $("#preview-audio");
      status.textContent = "…"; btn.disabled = true;
      try {
        const resp = await fetch(btn.dataset.url, { method: "POST", body: new FormData($("#script-form")), headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
        if (!resp.ok) { const d = new DOMParser().parseFromString(await resp.text(), "text/html"); status.textContent = ((d.querySelector("#error-message") || {}).textContent || resp.statusText); return; }
        audio.src = URL.createObjectURL(await resp.blob()); audio.hidden = false;
        status.textContent = status.dataset.ready || "";
        audio.play().catch(() => {});
      } finally { btn.disabled = false; }
    });
  }

  // -- listen before approving: the approve button opens once the audio has played to the end ------------
  async function listenFirst() {
    const audio = $("#approval-audio"), approve = $("#approve"); if (!audio) return;
    try {
      const resp = await fetch(audio.getAttribute("src"), { credentials: "same-origin" });
      if (!resp.ok) { $("#audio-hash").textContent = resp.status + " " + resp.statusText; return; }
      const sha = resp.headers.get("X-Audio-SHA256") || "";
      audio.src = URL.createObjectURL(await resp.blob());
      $("#audio-hash").textContent = $("#audio-hash").dataset.ready || "";  // the hash goes with the form, not on screen
      if ($("#approve-sha")) $("#approve-sha").value = sha;
      audio.dataset.ready = "1";
    } catch (e) { $("#audio-hash").textContent = String(e); }
    audio.addEventListener("ended", () => { if (approve) { approve.disabled = false; approve.dataset.listened = "1"; } });
  }

  // -- record in the browser: MediaRecorder, decoded and re-encoded as 16-bit WAV before upload ---------
  function wavFrom(buffer) {
    const ch = buffer.numberOfChannels, n = buffer.length, rate = buffer.sampleRate;
    const mono = new Float32Array(n);
    for (let c = 0; c < ch; c++) { const d = buffer.getChannelData(c); for (let i = 0; i < n; i++) mono[i] += d[i] / ch; }
    const out = new DataView(new ArrayBuffer(44 + n * 2));
    const str = (o, s) => { for (let i = 0; i < s.length; i++) out.setUint8(o + i, s.charCodeAt(i)); };
    str(0, "RIFF"); out.setUint32(4, 36 + n * 2, true); str(8, "WAVE"); str(12, "fmt ");
    out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true); out.setUint32(24, rate, true);
    out.setUint32(28, rate * 2, true); out.setUint16(32, 2, true); out.setUint16(34, 16, true); str(36, "data"); out.setUint32(40, n * 2, true);
    for (let i = 0; i < n; i++) { const s = Math.max(-1, Math.min(1, mono[i])); out.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true); }
    return new Blob([out], { type: "audio/wav" });
  }
  function recorder() {
    const box = $("#recorder"); if (!box) return;
    const start = $("#rec-start"), stop = $("#rec-stop"), upload = $("#rec-upload"), status = $("#rec-status"), audio = $("#rec-audio");
    let rec = null, chunks = [], wav = null;
    start.addEventListener("click", async () => {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        rec = new MediaRecorder(stream); chunks = [];
        rec.ondataavailable = (e) => chunks.push(e.data);
        rec.onstop = async () => {
          stream.getTracks().forEach((t) => t.stop());
          const raw = new Blob(chunks, { type: rec.mimeType });
          const ctx = new (window.AudioContext || window.webkitAudioContext)();
          wav = wavFrom(await ctx.decodeAudioData(await raw.arrayBuffer()));
          audio.src = URL.createObjectURL(wav); audio.hidden = false; upload.disabled = false;
          status.textContent = Math.round(wav.size / 1024) + " KB";
        };
        rec.start(); start.disabled = true; stop.disabled = false; status.textContent = "●";
      } catch (e) { status.textContent = String(e); }
    });
    stop.addEventListener("click", () => { if (rec) rec.stop(); start.disabled = false; stop.disabled = true; });
    upload.addEventListener("click", async () => {
      const title = $("#rec-title"); if (!title.reportValidity()) return;  // a title is required, as on the upload form
      const fd = new FormData(); fd.append("title", title.value); fd.append("audio", wav, "recording.wav");
      const resp = await fetch(box.dataset.url, { method: "POST", body: fd, headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }, credentials: "same-origin" });
      if (resp.ok) { const d = await resp.json(); location.href = d.url; }
      else { const body = await resp.text(); let said = null; try { said = JSON.parse(body).error; } catch (e) { said = null; }
        const d = new DOMParser().parseFromString(body, "text/html"); status.textContent = said || ((d.querySelector("#error-message") || {}).textContent || resp.statusText); }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    live(); preview(); pagePreview(); listenFirst(); recorder();
    document.querySelectorAll("[data-back]").forEach((a) => a.addEventListener("click", (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } }));
  });
})();
