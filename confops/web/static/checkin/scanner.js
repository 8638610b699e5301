// The check-in scanner page. Works with keyboard-wedge scanners (they type the code + Enter into
// the always-focused input), with the camera (BarcodeDetector, or the bundled zxing decoder), and
// without network: badges are then verified here with the event's HMAC key (WebCrypto, the same
// check as confops/checkin/tokens.py), scans are queued with a nonce and the device's clock and
// uploaded when the network is back. The device token comes in the URL fragment (#device=…),
// which browsers never send to the server, and is kept in this browser's storage.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const store = {
    get: (k, d) => { try { const v = localStorage.getItem("confops.checkin." + k); return v === null ? d : JSON.parse(v); } catch (e) { return d; } },
    set: (k, v) => localStorage.setItem("confops.checkin." + k, JSON.stringify(v)),
  };
  const DOMAIN = new TextEncoder().encode("confops-checkin-1");
  const COLOURS = { ok: "green", already_checked_in: "amber", unpaid: "amber", invalid: "red", wrong_event: "red", revoked: "red" };
  const WORDS = { ok: "Welcome", already_checked_in: "Already checked in", unpaid: "Unpaid", invalid: "Not valid", wrong_event: "Wrong event", revoked: "Revoked" };

  // --- pairing -----------------------------------------------------------------------------
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("device")) {
    if (store.get("device", null) !== fragment.get("device")) { // another device: forget the last one's lists (its queue still uploads)
      ["material", "seen", "list"].forEach((k) => localStorage.removeItem("confops.checkin." + k));
    }
    store.set("device", fragment.get("device"));
    history.replaceState(null, "", location.pathname); // the token leaves the address bar
  }

  let token = store.get("device", null);
  let material = store.get("material", null);
  let hmacKey = null;
  let online = navigator.onLine;
  let queue = store.get("queue", []);
  let seen = store.get("seen", {}); // "list:attendee:direction" -> {at, station}: repeats while offline
  let flushing = false;


  // --- status bar ----------------------------------------------------------------------------
  function showNet() {
    $("net").textContent = online ? "Online" : "Offline";
    $("net").className = "net " + (online ? "online" : "offline");
    $("queue").textContent = String(queue.length);
    document.body.dataset.online = online ? "yes" : "no";
  }
  function setOnline(value) {
    if (online === value) return;
    online = value;
    showNet();
    if (online) { flush(); sync(); }
  }
  window.addEventListener("online", () => setOnline(true));
  window.addEventListener("offline", () => setOnline(false));

  function currentList() { return parseInt($("list").value, 10); }
  function currentDirection() { return $("direction-box").hidden ? "in" : $("direction").value; }

  function fillLists() {
    if (!material) return;
    const select = $("list");
    const chosen = store.get("list", null);
    const today = new Date().toLocaleDateString("en-CA"); // YYYY-MM-DD in local time
    select.innerHTML = "";
    for (const l of material.lists) {
      const o = document.createElement("option");
      o.value = l.id; o.textContent = l.name; o.dataset.trackExit = l.track_exit ? "1" : "";
      select.appendChild(o);
    }
    const pick = material.lists.find((l) => l.id === chosen) || material.lists.find((l) => l.day === today) || material.lists[0];
    if (pick) select.value = String(pick.id);
    onListChange();
    $("station").textContent = material.device.name;
  }
  function onListChange() {
    const o = $("list").selectedOptions[0];
    $("direction-box").hidden = !(o && o.dataset.trackExit);
    if (o) store.set("list", parseInt(o.value, 10));
  }
  $("list").addEventListener("change", onListChange);

  // --- talking to the server ---------------------------------------------------------------------
  async function api(method, path, body) {
    const r = await fetch("/api/v1/checkin/" + path, {
      method, headers: { authorization: "Bearer " + token, "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
    });
    if (r.status === 401) { $("pairing").hidden = false; }
    if (!r.ok) { const e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
    return r.json();
  }
  // The event key is imported as a non-extractable WebCrypto key and kept in IndexedDB (which
  // stores CryptoKey objects as they are): the page can sign with it, nobody can read its bytes
  // back out, and localStorage never holds the secret.
  function keyStore(mode, action) {
    return new Promise((ok, fail) => {
      const open = indexedDB.open("confops-checkin", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("keys");
      open.onerror = () => fail(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction("keys", mode);
        const req = action(tx.objectStore("keys"));
        tx.oncomplete = () => ok(req.result);
        tx.onerror = () => fail(tx.error);
      };
    });
  }
  async function importKey(secret) {
    const raw = Uint8Array.from(atob(secret), (c) => c.charCodeAt(0));
    hmacKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    await keyStore("readwrite", (s) => s.put(hmacKey, "hmac"));
  }
  async function loadKey() {
    try { hmacKey = (await keyStore("readonly", (s) => s.get("hmac"))) || null; } catch (e) { hmacKey = null; }
  }
  async function sync() {
    if (!token) { $("pairing").hidden = false; return; }
    try {
      const fresh = await api("GET", "sync");
      await importKey(fresh.key.secret);
      delete fresh.key.secret;
      material = fresh;
      store.set("material", material);
      fillLists();
      setOnline(true);
    } catch (e) {
      if (e.status === undefined) setOnline(false);
    }
  }
  async function flush() {
    if (flushing || !queue.length || !online) { showNet(); return; }
    flushing = true;
    try {
      const batch = queue.slice(0, 500);
      const answer = await api("POST", "offline", { scans: batch });
      const done = new Set(answer.results.map((r) => r.nonce));
      queue = queue.filter((q) => !done.has(q.nonce));
      store.set("queue", queue);
    } catch (e) {
      if (e.status === undefined) setOnline(false);
    } finally {
      flushing = false;
      showNet();
    }
  }

  // --- offline verification (same rules as tokens.py) -----------------------------------------
  function tokenBytes(t) {
    if (!/^1[0-9]{56}$/.test(t)) return null;
    let v = BigInt(t.slice(1));
    if (v >= (1n << 184n)) return null;
    const b = new Uint8Array(23);
    for (let i = 22; i >= 0; i--) { b[i] = Number(v & 255n); v >>= 8n; }
    return b;
  }
  const u32 = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
  async function verifyLocally(t) {
    const b = tokenBytes(t);
    if (!b || !material || !hmacKey) return { result: "invalid", message: "Cannot verify this code offline." };
    const eventId = u32(b, 0), attendee = u32(b, 4), version = (b[8] << 8) + b[9], generation = b[10];
    if (eventId !== material.event_id) return { result: "wrong_event", message: "This badge is for another event." };
    if (generation < material.key.generation) return { result: "revoked", message: "This badge was replaced." };
    const signed = new Uint8Array(DOMAIN.length + 11);
    signed.set(DOMAIN); signed.set(b.slice(0, 11), DOMAIN.length);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, signed));
    let diff = generation === material.key.generation ? 0 : 1;
    for (let i = 0; i < 12; i++) diff |= mac[i] ^ b[11 + i];
    const person = material.people[String(attendee)];
    if (diff || !person || version > person[0]) return { result: "invalid", message: "This badge does not verify." };
    if (version < person[0] || person[3] === "revoked") return { result: "revoked", message: "This badge was replaced or cancelled.", name: person[1] };
    if (person[3] === "unpaid") return { result: "unpaid", message: "Payment has not arrived yet: send them to the desk.", name: person[1] };
    return { result: "ok", message: "Welcome! (offline)", name: person[1], category: person[2], attendee_id: attendee };
  }

  // --- showing a result ---------------------------------------------------------------------------
  let audio = null;
  function beep(colour) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = colour === "green" ? 880 : colour === "amber" ? 520 : 220;
      g.gain.value = 0.2; o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + (colour === "green" ? 0.12 : 0.45));
    } catch (e) { /* no sound available: the colour still says it */ }
  }
  function show(answer) {
    const colour = COLOURS[answer.result] || "red";
    document.body.dataset.state = colour;
    document.body.dataset.result = answer.result;
    $("result-word").textContent = WORDS[answer.result] || answer.result;
    $("result-name").textContent = answer.name || "";
    let message = answer.message || "";
    if (answer.result === "already_checked_in" && answer.checked_in_at) {
      message = `Checked in ${new Date(answer.checked_in_at).toLocaleTimeString()} at ${answer.station || "another station"}.`;
    }
    $("result-message").textContent = message;
    const notes = $("result-notes");
    notes.innerHTML = "";
    for (const n of [answer.category, ...(answer.notes || [])].filter(Boolean)) {
      const li = document.createElement("li"); li.textContent = n; notes.appendChild(li);
    }
    beep(colour);
  }

  // --- scanning -------------------------------------------------------------------------------------
  const nonce = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  async function handle(code, attendeeId) {
    code = (code || "").trim();
    if (!code && !attendeeId) return;
    if (!token) { $("pairing").hidden = false; return; }
    const body = { list_id: currentList(), nonce: nonce(), direction: currentDirection() };
    if (attendeeId) body.attendee_id = attendeeId; else body.token = code;
    if (online) {
      try {
        const answer = await api("POST", "scan", body);
        if (answer.result === "ok" || answer.result === "already_checked_in") {
          seen[`${body.list_id}:${answer.attendee_id}:${body.direction}`] = { at: answer.checked_in_at, station: answer.station };
          store.set("seen", seen);
        }
        show(answer);
        return;
      } catch (e) {
        if (e.status !== undefined) { show({ result: "invalid", message: "The server refused this scan (" + e.status + ")." }); return; }
        setOnline(false);
      }
    }
    if (attendeeId) { show({ result: "invalid", message: "Desk check-in by name needs the network." }); return; }
    const local = await verifyLocally(code);
    if (local.result === "ok") {
      const k = `${body.list_id}:${local.attendee_id}:${body.direction}`;
      if (seen[k]) {
        show({ ...local, result: "already_checked_in", checked_in_at: seen[k].at, station: seen[k].station });
        return;
      }
      const at = new Date().toISOString();
      seen[k] = { at, station: material.device.name + " (offline)" };
      store.set("seen", seen);
      queue.push({ nonce: body.nonce, list_id: body.list_id, token: code, client_time: at, direction: body.direction });
      store.set("queue", queue);
      showNet();
    }
    show(local);
  }

  const input = $("code");
  $("scan-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = input.value;
    input.value = "";
    handle(code);
  });
  // Keep the input focused for keyboard-wedge scanners, except while someone types a name.
  function refocus() { if (document.activeElement !== $("search") && document.activeElement !== $("list")) input.focus(); }
  document.addEventListener("click", () => setTimeout(refocus, 0));
  input.addEventListener("blur", () => setTimeout(refocus, 200));

  $("undo").addEventListener("click", async () => {
    try {
      const r = await api("POST", "undo");
      if (r.undone) {
        for (const k of Object.keys(seen)) if (k.startsWith(`${r.list_id}:${r.attendee_id}:`)) delete seen[k];
        store.set("seen", seen);
      }
      show({ result: r.undone ? "already_checked_in" : "invalid", message: r.undone ? "Last check-in undone." : "Nothing to undo." });
    } catch (e) { show({ result: "invalid", message: "Undo needs the network." }); }
  });

  let searchTimer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = $("search").value.trim();
      const out = $("search-results");
      out.innerHTML = "";
      if (q.length < 2 || !online) return;
      try {
        const r = await api("GET", `search?list_id=${currentList()}&q=${encodeURIComponent(q)}`);
        for (const p of r.people) {
          const li = document.createElement("li");
          li.textContent = `${p.name} — ${p.category}${p.institution ? ", " + p.institution : ""} `;
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = p.checked_in_at ? "Checked in" : "Check in";
          b.disabled = Boolean(p.checked_in_at);
          b.addEventListener("click", () => { handle("", p.attendee_id); $("search").value = ""; out.innerHTML = ""; input.focus(); });
          li.appendChild(b); out.appendChild(li);
        }
      } catch (e) { /* offline: nothing to show */ }
    }, 250);
  });

  // --- camera ----------------------------------------------------------------------------------------
  let stream = null;
  $("camera").addEventListener("click", async () => {
    const video = $("video");
    if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; video.hidden = true; return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) { show({ result: "invalid", message: "The camera is not available." }); return; }
    video.srcObject = stream; video.hidden = false; await video.play();
    let detect;
    if ("BarcodeDetector" in window) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      detect = async () => { const found = await detector.detect(video); return found.length ? found[0].rawValue : null; };
    } else {
      await new Promise((ok, fail) => { const s = document.createElement("script"); s.src = "/static/checkin/zxing-decoder.min.js"; s.onload = ok; s.onerror = fail; document.head.appendChild(s); });
      const canvas = document.createElement("canvas");
      detect = async () => {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        return window.ConfopsDecoder.decodeCanvas(canvas);
      };
    }
    let last = "", lastAt = 0;
    const tick = async () => {
      if (!stream) return;
      try {
        const code = await detect();
        if (code && (code !== last || Date.now() - lastAt > 3000)) { last = code; lastAt = Date.now(); await handle(code); }
      } catch (e) { /* a frame that did not decode */ }
      setTimeout(tick, 150);
    };
    tick();
  });

  // --- start ------------------------------------------------------------------------------------------
  showNet();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/checkin/scanner-sw.js", { scope: "/checkin/" })
      .then(() => navigator.serviceWorker.ready)
      .then(() => { document.body.dataset.offlineReady = "yes"; })
      .catch((e) => { document.body.dataset.offlineReady = "no: " + e; });
  }
  if (material) { loadKey().then(fillLists); }
  if (!token) $("pairing").hidden = false;
  sync().then(flush);
  setInterval(() => { if (navigator.onLine && (queue.length || !online)) { sync().then(flush); } }, 3000);
  setInterval(() => { if (online) sync(); }, 60000);
  input.focus();
})();
