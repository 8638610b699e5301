// Live counts on the staff check-in page: deltas over a WebSocket (Litestar Channels), and a
// fresh read of the counts whenever the socket (re)connects.
(function () {
  const slug = document.currentScript.dataset.slug;
  const base = `/staff/events/${slug}/checkin`;
  const state = document.getElementById("live-state");
  const cell = (id) => document.querySelector(`td.count[data-list="${id}"]`);
  async function refresh() {
    const r = await fetch(`${base}/counts`, { headers: { accept: "application/json" } });
    if (!r.ok) return;
    const counts = await r.json();
    document.querySelectorAll("td.count").forEach((td) => { td.textContent = counts[td.dataset.list] || 0; });
  }
  function connect() {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${base}/live`);
    ws.onopen = () => { state.textContent = "Live counts: on"; refresh(); };
    ws.onmessage = (m) => {
      const d = JSON.parse(m.data);
      const td = cell(d.list_id);
      if (td) td.textContent = Math.max(0, (parseInt(td.textContent, 10) || 0) + d.delta);
    };
    ws.onclose = () => { state.textContent = "Live counts: reconnecting…"; setTimeout(connect, 3000); };
  }
  connect();
})();
