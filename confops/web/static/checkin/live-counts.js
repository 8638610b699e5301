// Live counts on the staff check-in page: deltas over a WebSocket (Litestar Channels), and a
// fresh read of the counts whenever the socket (re)connects. When the socket cannot be had
// (Redis down, a proxy without WebSockets), the counts are read from the database every few
// seconds until it can.
(function () {
  const slug = document.currentScript.dataset.slug;
  const base = `/staff/events/${slug}/checkin`;
  const state = document.getElementById("live-state");
  const cell = (id) => document.querySelector(`td.count[data-list="${id}"]`);
  const POLL_MS = 5000;
  async function refresh() {
    try {
      const r = await fetch(`${base}/counts`, { headers: { accept: "application/json" } });
      if (!r.ok) return;
      const counts = await r.json();
      document.querySelectorAll("td.count").forEach((td) => { td.textContent = counts[td.dataset.list] || 0; });
    } catch (e) { /* offline: the next poll tries again */ }
  }
  function connect() {
    let opened = false;
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${base}/live`);
    ws.onopen = () => { opened = true; state.textContent = "Live counts: on"; refresh(); };
    ws.onmessage = (m) => {
      const d = JSON.parse(m.data);
      const td = cell(d.list_id);
      if (td) td.textContent = Math.max(0, (parseInt(td.textContent, 10) || 0) + d.delta);
    };
    ws.onclose = () => {
      state.textContent = opened ? "Live counts: reconnecting…" : "Live counts: updated every 5 seconds";
      refresh();
      setTimeout(connect, POLL_MS);
    };
  }
  connect();
})();
