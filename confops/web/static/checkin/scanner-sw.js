// Keeps the scanner page usable when the network is gone: the page and its assets are cached on
// each visit and served from the cache only when the network does not answer. API calls are
// never cached (the page queues scans itself).
const CACHE = "confops-scanner-v1";
const ASSETS = ["/checkin/scanner", "/static/checkin/scanner.js", "/static/checkin/scanner.css",
                "/static/checkin/zxing-decoder.min.js"];
self.addEventListener("install", (e) => { e.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS))); self.skipWaiting(); });
self.addEventListener("activate", (e) => { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin || !ASSETS.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).then((r) => {
    const copy = r.clone();
    caches.open(CACHE).then((c) => c.put(url.pathname, copy));
    return r;
  }).catch(() => caches.match(url.pathname)));
});
