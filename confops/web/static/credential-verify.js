// Checks an Open Badges credential (VC-JWT signed with Ed25519) in the browser, against the
// issuer keys and revocation lists the page embeds (#issuer-material), so a saved copy of the
// page works with no network. The steps are those of confops/cme/credential_check.py:
// issuer key by kid, signature (WebCrypto Ed25519), credential type and issuer, validity
// dates, then the bit in the signed Bitstring Status List (refused once past its validUntil).
// PDFs are left to the server (the form posts them).
(function () {
  "use strict";
  var material = JSON.parse(document.getElementById("issuer-material").textContent);
  var COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  var ENVELOPE = "data:application/vc+jwt,";

  function b64bytes(part) {
    var text = part.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) text += "=";
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function b64json(part) { return JSON.parse(new TextDecoder().decode(b64bytes(part))); }

  function tokenFrom(text) {
    text = (text || "").trim();
    if (text.indexOf(ENVELOPE) === 0) text = text.slice(ENVELOPE.length);
    if (COMPACT.test(text)) return text;
    try {
      var value = JSON.parse(text);
      if (value && typeof value.id === "string" && value.id.indexOf(ENVELOPE) === 0) {
        var token = value.id.slice(ENVELOPE.length);
        return COMPACT.test(token) ? token : null;
      }
      if (value && value.credentialSubject) return "unsigned";
    } catch (e) { /* not JSON */ }
    return null;
  }

  // "ok" and the claims, or a verdict name.
  async function verified(token) {
    var parts = token.split("."), header;
    try { header = b64json(parts[0]); } catch (e) { return ["not_a_credential"]; }
    var jwk = null;
    (material.jwks.keys || []).forEach(function (k) { if (k.kid === header.kid && k.crv === "Ed25519") jwk = k; });
    if (!jwk) return ["unknown_issuer"];
    if (header.alg !== "Ed25519" && header.alg !== "EdDSA") return ["tampered"];
    var good;
    try {
      var key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" },
                                              false, ["verify"]);
      good = await crypto.subtle.verify({ name: "Ed25519" }, key, b64bytes(parts[2]),
                                        new TextEncoder().encode(parts[0] + "." + parts[1]));
    } catch (e) { return ["tampered"]; }
    if (!good) return ["tampered"];
    try { return ["ok", b64json(parts[1])]; } catch (e) { return ["not_a_credential"]; }
  }

  async function listToken(url) {
    try {
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, 4000);
      var response = await fetch(url, { cache: "no-store", signal: controller.signal });
      clearTimeout(timer);
      if (response.ok) return (await response.text()).trim();
    } catch (e) { /* offline, or another site: use the copy embedded in the page */ }
    return material.statusLists[url] || null;
  }

  async function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function statusVerdict(entry) {
    var index = parseInt(entry.statusListIndex, 10);
    if (!(index >= 0)) return "tampered";
    var token = await listToken(entry.statusListCredential);
    if (!token) return "status_list_expired";
    var outcome = await verified(token);
    if (outcome[0] !== "ok") return outcome[0];
    var list = outcome[1];
    if (list.id !== entry.statusListCredential) return "tampered";
    if (!list.validUntil || new Date(list.validUntil) < new Date()) return "status_list_expired";
    var encoded = (list.credentialSubject || {}).encodedList || "";
    if (encoded[0] !== "u") return "tampered";
    var bits;
    try { bits = await inflate(b64bytes(encoded.slice(1))); } catch (e) { return "tampered"; }
    if (index >= bits.length * 8) return "tampered";
    return (bits[index >> 3] & (0x80 >> (index & 7))) ? "revoked" : null;
  }

  async function check(text) {
    var token = tokenFrom(text);
    if (token === "unsigned") return { verdict: "unsigned" };
    if (!token) return { verdict: "not_a_credential" };
    var outcome = await verified(token);
    if (outcome[0] !== "ok") return { verdict: outcome[0] };
    var c = outcome[1], facts = factsOf(c), types = Array.isArray(c.type) ? c.type : [];
    if (types.indexOf("VerifiableCredential") < 0 ||
        (types.indexOf("OpenBadgeCredential") < 0 && types.indexOf("AchievementCredential") < 0)) {
      return { verdict: "not_a_credential", facts: facts };
    }
    if (!c.issuer || c.issuer.id !== material.did) return { verdict: "unknown_issuer", facts: facts };
    var now = new Date();
    if (!c.validFrom || new Date(c.validFrom) > now) return { verdict: "not_yet_valid", facts: facts };
    if (c.validUntil && new Date(c.validUntil) < now) return { verdict: "expired", facts: facts };
    if (c.credentialStatus) {
      var status = await statusVerdict(c.credentialStatus);
      if (status) return { verdict: status, facts: facts };
    }
    return { verdict: "valid", facts: facts };
  }

  function factsOf(c) {
    var s = c.credentialSubject || {}, a = s.achievement || {}, name = "";
    (s.identifier || []).forEach(function (i) { if (i.identityType === "name") name = i.identityHash; });
    return { name: name, achievement: a.name || "", credits: s.creditsEarned, issuer: (c.issuer || {}).name || "",
             valid_from: c.validFrom || "" };
  }

  function show(target, result) {
    var verdict = result.verdict, facts = result.facts || {};
    var box = document.createElement("div");
    box.className = "verdict " + (verdict === "valid" ? "verdict-ok" :
      (verdict === "status_list_expired" || verdict === "not_yet_valid") ? "verdict-warn" : "verdict-bad");
    box.setAttribute("data-verdict", verdict);
    var title = document.createElement("p");
    title.className = "verdict-title";
    var strong = document.createElement("strong");
    strong.textContent = material.titles[verdict] || verdict;
    title.appendChild(strong);
    title.appendChild(document.createTextNode(" (Open Badges credential, checked in this browser)"));
    var detail = document.createElement("p");
    detail.textContent = material.details[verdict] || "";
    box.appendChild(title);
    box.appendChild(detail);
    var rows = [["Name", facts.name], ["Achievement", facts.achievement],
                ["Credit claimed", typeof facts.credits === "number" ? facts.credits.toFixed(2) : ""],
                ["Issuer", facts.issuer], ["Issued", (facts.valid_from || "").slice(0, 10)]];
    var list = document.createElement("dl");
    list.className = "facts";
    rows.forEach(function (r) {
      if (!r[1]) return;
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = r[0];
      dd.textContent = r[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    if (list.childNodes.length) box.appendChild(list);
    target.replaceChildren(box);
  }

  function unavailable() {
    return !(window.crypto && crypto.subtle && window.DecompressionStream);
  }

  var form = document.getElementById("check-form");
  var result = document.getElementById("result");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (unavailable()) return;  // the server checks it
      event.preventDefault();
      checkForm();
    });
  }

  async function checkForm() {
    var file = form.elements.file.files[0];
    var text = form.elements.credential.value;
    if (file) {
      // PDFs, and files above the limit (the server answers with it), go to the server.
      if (file.size > 5 * 1024 * 1024) return form.submit();
      var head = new Uint8Array(await file.slice(0, 5).arrayBuffer());
      if (String.fromCharCode.apply(null, head) === "%PDF-") return form.submit();
      text = await file.text();
    }
    show(result, await check(text));
  }

  // The verify page of one certificate: check its own credential here, in the browser.
  var own = document.getElementById("own-credential");
  if (own && !unavailable()) {
    check(JSON.parse(own.textContent)).then(function (r) { show(document.getElementById("own-check"), r); });
  }
  window.confopsCheckCredential = check;
})();
