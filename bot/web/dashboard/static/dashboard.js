// claimbot dashboard: reload the page when something the viewer sees has changed.
// The server names the state it rendered (data-marker); /dashboard/changes answers with
// the current one. Plain ES2020, no dependencies.
'use strict';
(() => {
  const body = document.body;
  const url = body.dataset.changes;
  let marker = body.dataset.marker;
  if (!url || marker === undefined) return;
  const status = document.getElementById('live');
  const every = Number(body.dataset.pollMs || 3000);

  async function check() {
    if (document.hidden) return;
    try {
      const r = await fetch(`${url}?since=${encodeURIComponent(marker)}`,
        { cache: 'no-store', credentials: 'same-origin' });
      if (r.status === 401) { location.href = '/dashboard/login'; return; }
      if (!r.ok) return;
      const data = await r.json();
      if (data.changed) {
        marker = data.marker;
        if (status) status.dataset.state = 'updated';
        location.reload();
      }
    } catch { /* offline: try again next time */ }
  }
  setInterval(check, every);
  document.addEventListener('visibilitychange', check);
})();
