// claimbot web chat — browser side. Plain ES2020, no dependencies.
// Every bot sentence comes from the server; only UI chrome is translated here.
'use strict';
(() => {
  const UI = {
    zh: {
      title: '车险理赔助手',
      placeholder: '输入消息…', send: '发送', attach: '上传照片/视频', location: '发送位置',
      uploading: '上传中…', retrying: '连接中断，正在重试…',
      noGeo: '您的浏览器无法共享位置，请直接输入',
      identity: '演示身份', roles: { owner: '车主', adjuster: '理赔员', shop: '修理厂员工' },
    },
    en: {
      title: 'Car insurance claims',
      placeholder: 'Type a message…', send: 'Send', attach: 'Upload photo/video', location: 'Share location',
      uploading: 'Uploading…', retrying: 'Connection lost, retrying…',
      noGeo: "Your browser can't share location — please type your answer instead",
      identity: 'Demo identity', roles: { owner: 'Owner', adjuster: 'Adjuster', shop: 'Shop staff' },
    },
  };
  // The browser's language until the conversation's locale is known (the server says it
  // with every batch, e.g. after /lang); remembered per chat id for the next visit.
  const LANG = navigator.language || 'en';
  const uiOf = (code) => (/^zh/i.test(code || '') ? 'zh' : 'en');
  let ui = uiOf(LANG);
  let t = UI[ui];

  const $ = (id) => document.getElementById(id);
  const log = $('log'), input = $('input'), fileIn = $('file');
  const connLine = $('conn'), errorLine = $('error'), locBtn = $('loc');

  // ---------- storage & ids ----------
  // Who this browser is, is the server's session cookie (HttpOnly: not readable here).
  // What the page keeps for itself (its own sent messages, unsent ones, the language)
  // is keyed by the demo role, and forgotten when the server names a different chat.
  const store = {
    get(k) { try { return localStorage.getItem(k); } catch { return null; } },
    set(k, v) { try { localStorage.setItem(k, v); } catch { /* private mode */ } },
  };
  function uuid() {
    if (window.crypto && crypto.randomUUID) { try { return crypto.randomUUID(); } catch { /* insecure ctx */ } }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const ROLE_KEY = 'claimbot.role';
  const ROLE = store.get(ROLE_KEY) || 'owner';
  const scoped = (name) => (ROLE === 'owner' ? `claimbot.${name}` : `claimbot.${name}.${ROLE}`);
  const OUTBOX_KEY = scoped('outbox');
  // What this browser sent (the server keeps only the bot's side), to show after a reload.
  const SENT_KEY = scoped('sent');
  const CHAT_KEY = scoped('chat');
  const SENT_MAX = 60;
  const LOCALE_KEY = scoped('locale');
  const HISTORY = 100;  // the server's page: the newest 100 messages when after=0
  const savedUi = store.get(LOCALE_KEY);
  if (savedUi === 'zh' || savedUi === 'en') { ui = savedUi; t = UI[ui]; }

  // ---------- DOM helpers ----------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;   // never innerHTML with server text
    return e;
  }
  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  const scrollDown = () => requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; });
  function safeUrl(u) {
    try {
      const x = new URL(u, location.href);
      return ['http:', 'https:', 'blob:'].includes(x.protocol) ? x.href : null;
    } catch { return null; }
  }
  // http(s) links in a bot's text become tappable; the rest stays text (no innerHTML).
  const URL_RE = /https?:\/\/[^\s<>"'，。；！？、（）【】「」]+/g;
  function linkified(text) {
    const box = el('div', 'text');
    let at = 0;
    for (const found of text.matchAll(URL_RE)) {
      let url = found[0];
      const trail = url.match(/[.,;:!?)\]}'"]+$/);
      if (trail) url = url.slice(0, -trail[0].length);
      const href = safeUrl(url);
      if (!href || !/^https?:/.test(href)) continue;
      box.append(document.createTextNode(text.slice(at, found.index)));
      const a = el('a', 'link', url);
      a.href = href; a.target = '_blank'; a.rel = 'noopener';
      box.append(a);
      at = found.index + url.length;
    }
    box.append(document.createTextNode(text.slice(at)));
    return box;
  }
  function pinIcon() { const s = $('pin').cloneNode(true); s.removeAttribute('id'); return s; }

  // ---------- status lines ----------
  const conn = { poll: false, send: false };
  function setConn(part, lost) {
    conn[part] = lost;
    connLine.hidden = !(conn.poll || conn.send);
  }
  function showError(detail) { errorLine.textContent = detail; errorLine.hidden = !detail; }

  // ---------- rendering ----------
  const seen = new Set();
  let cursor = 0;

  function renderBot(m) {
    const row = el('div', 'row bot');
    row.dataset.id = String(m.id);
    const bubble = el('div', 'bubble');
    if (m.text) bubble.append(linkified(m.text));
    for (const a of m.attachments || []) {
      const u = safeUrl(a.url);
      if (!u) continue;
      if (a.kind === 'video') {
        const v = el('video', 'att');
        v.controls = true; v.preload = 'metadata'; v.playsInline = true; v.src = u;
        bubble.append(v);
      } else {
        const link = el('a'); link.href = u; link.target = '_blank'; link.rel = 'noopener';
        const img = el('img', 'att'); img.alt = ''; img.loading = 'lazy'; img.src = u;
        img.addEventListener('load', () => { if (nearBottom()) scrollDown(); });
        link.append(img); bubble.append(link);
      }
    }
    row.append(bubble);
    if (m.request_location) {
      const b = el('button', 'loc-big'); b.type = 'button';
      b.append(pinIcon(), el('span', null, t.location));
      b.addEventListener('click', shareLocation);
      row.append(b);
    }
    if (m.choices && m.choices.length) {
      const box = el('div', 'choices');
      for (const c of m.choices) {
        const b = el('button', 'choice', c.label); b.type = 'button';
        b.addEventListener('click', () => {
          b.classList.add('picked');
          send({ kind: 'choice', value: c.value }, c.label);
        });
        box.append(b);
      }
      row.append(box);
    }
    log.append(row);
  }

  // Buttons a newer turn made obsolete stay readable but can no longer be tapped.
  function greySuperseded(ids) {
    for (const id of ids) {
      const row = log.querySelector(`.row.bot[data-id="${Number(id)}"]`);
      if (!row) continue;
      row.classList.add('superseded');
      for (const b of row.querySelectorAll('button.choice, button.loc-big')) b.disabled = true;
    }
  }

  function ingest(data) {
    if (!data) return [];
    if (typeof data.chat === 'string') sameChat(data.chat);
    if (typeof data.locale === 'string') setLocale(data.locale);
    const fresh = (Array.isArray(data.messages) ? data.messages : [])
      .filter((m) => m && !seen.has(m.id))
      .sort((a, b) => a.id - b.id);
    for (const m of fresh) { seen.add(m.id); renderBot(m); }
    greySuperseded(Array.isArray(data.superseded) ? data.superseded : []);
    if (Number.isFinite(data.cursor)) cursor = Math.max(cursor, data.cursor);
    if (fresh.length) scrollDown();
    return fresh;
  }

  // ---------- own messages across reloads ----------
  // Each sent message is kept with the cursor it was sent at: it goes after the bot
  // messages up to that id and before the answers to it.
  function sentLog() {
    try {
      const list = JSON.parse(store.get(SENT_KEY) || '[]');
      return Array.isArray(list) ? list.filter((x) => x && typeof x.label === 'string') : [];
    } catch { return []; }
  }
  function rememberSent(job) {
    if (!job.label) return;
    const list = sentLog();
    list.push({ after: job.after, label: job.label });
    store.set(SENT_KEY, JSON.stringify(list.slice(-SENT_MAX)));
  }
  let earlierSent = sentLog();  // as the page opened: what this page sends shows anyway
  // A new chat (the session ended and the server began another): the old records go.
  function sameChat(chat) {
    const known = store.get(CHAT_KEY);
    if (known === chat) return;
    if (known) { store.set(SENT_KEY, '[]'); earlierSent = []; }
    store.set(CHAT_KEY, chat);
  }
  function restoreSent(history) {
    const first = history.length ? history[0].id : 0;
    const complete = history.length < HISTORY;  // else older messages were left out
    const bots = Array.from(log.querySelectorAll('.row.bot'));
    for (const item of earlierSent) {
      const after = Number(item.after) || 0;
      if (!complete && after < first) continue;  // its context is not on the screen
      const row = el('div', 'row user');
      const bubble = el('div', 'bubble');
      bubble.append(el('div', 'text', item.label));
      row.append(bubble, el('div', 'meta'));
      const next = bots.find((b) => Number(b.dataset.id) > after);
      log.insertBefore(row, next || null);
    }
    scrollDown();
  }

  function userBubble(content) {
    const row = el('div', 'row user');
    const bubble = el('div', 'bubble');
    bubble.append(typeof content === 'string' ? el('div', 'text', content) : content);
    row.append(bubble, el('div', 'meta'));
    log.append(row);
    scrollDown();
    return row;
  }

  function setState(job, state) {
    job.row.dataset.state = state;
    const meta = job.row.querySelector('.meta');
    const parts = [];
    if (state === 'retrying') parts.push('↻');
    if (state === 'failed') parts.push('!');
    if (job.files && state !== 'done' && state !== 'failed') parts.push(t.uploading);
    meta.textContent = parts.join(' ');
  }

  // ---------- HTTP ----------
  class HttpError extends Error {
    constructor(detail, retry, server) { super(detail); this.detail = detail; this.retry = retry; this.server = server; }
  }
  function detailText(d, status) {
    if (typeof d === 'string') return d;
    if (Array.isArray(d)) return d.map((x) => (x && x.msg) || JSON.stringify(x)).join('; ');
    return d ? JSON.stringify(d) : `HTTP ${status}`;
  }
  async function call(url, opts, timeoutMs) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    let r, data = null;
    try {
      r = await fetch(url, { ...opts, signal: ctl.signal, credentials: 'same-origin' });
      try { data = await r.json(); } catch { /* not JSON */ }
    } catch {
      throw new HttpError('', true, false);          // network failure / timeout
    } finally { clearTimeout(timer); }
    if (r.ok && data) return data;
    if (r.ok || r.status >= 500 || r.status === 408 || r.status === 429) {
      throw new HttpError(detailText(data && data.detail, r.status), true, true);
    }
    throw new HttpError(detailText(data && data.detail, r.status), false, true);
  }

  function request(job) {
    if (job.files) {
      const fd = new FormData();
      fd.append('message_id', job.id); fd.append('language', LANG);
      fd.append('after', String(cursor));
      for (const f of job.files) fd.append('files', f, f.name);
      return call('/chat/api/upload', { method: 'POST', body: fd }, 600000);
    }
    return call('/chat/api/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message_id: job.id, language: LANG, after: cursor, ...job.body }),
    }, 90000);
  }

  // ---------- outbox: serial, retried with the same message_id ----------
  const queue = [];
  let userSpoke = false;  // this page sent something of the user's (then no 'open' event)
  let busy = false, wake = null;

  function saveOutbox() {
    const keep = queue.filter((j) => !j.files).map(({ id, body, label }) => ({ id, body, label }));
    store.set(OUTBOX_KEY, JSON.stringify(keep));
  }
  function sleep(ms) {
    return new Promise((resolve) => {
      const id = setTimeout(resolve, ms);
      wake = () => { clearTimeout(id); resolve(); };
    });
  }
  window.addEventListener('online', () => { if (wake) wake(); });

  async function runJob(job) {
    for (let attempt = 0; ; attempt++) {
      try {
        const data = await request(job);
        setState(job, 'done');
        rememberSent(job);
        setConn('send', false);
        ingest(data);
        return;
      } catch (err) {
        // Network failures retry forever; server errors (5xx) give up after a few tries.
        if (!err.retry || (err.server && attempt >= 4)) {
          setState(job, 'failed');
          showError(err.detail || `HTTP error`);
          if (job.body && job.body.kind === 'text' && !input.value) { input.value = job.body.text; autosize(); }
          return;
        }
        setState(job, 'retrying');
        if (!err.server) setConn('send', true);
        await sleep(Math.min(30000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2));
      }
    }
  }

  async function pump() {
    if (busy) return;
    busy = true;
    while (queue.length) {
      await runJob(queue[0]);
      queue.shift();
      saveOutbox();
    }
    busy = false;
    setConn('send', false);
  }

  function enqueue(job) {
    userSpoke = true;
    job.after = cursor;
    setState(job, 'sending');
    queue.push(job);
    saveOutbox();
    pump();
  }

  function send(body, label) {
    showError('');
    enqueue({ id: uuid(), body, label, row: userBubble(label) });
  }

  // ---------- user actions ----------
  function submitText() {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    autosize();
    send({ kind: 'text', text }, text);
    input.focus();
  }
  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  }

  function shareLocation() {
    if (!navigator.geolocation) { showError(t.noGeo); return; }
    locBtn.classList.add('busy');
    navigator.geolocation.getCurrentPosition((pos) => {
      locBtn.classList.remove('busy');
      const { latitude: lat, longitude: lon, accuracy } = pos.coords;
      const label = `📍 ${lat.toFixed(5)}, ${lon.toFixed(5)}` + (accuracy ? ` (±${Math.round(accuracy)} m)` : '');
      send({ kind: 'location', lat, lon, accuracy }, label);
    }, () => {
      locBtn.classList.remove('busy');
      showError(t.noGeo);
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  function sendFiles(files) {
    const box = el('div', 'previews');
    for (const f of files) {
      const fig = el('figure', 'pv');
      if (f.type.startsWith('image/')) {
        const img = el('img'); img.alt = ''; img.src = URL.createObjectURL(f);
        img.addEventListener('error', () => img.replaceWith(el('div', 'icon', '🖼')));
        fig.append(img);
      } else {
        fig.append(el('div', 'icon', '🎬'));
      }
      fig.append(el('figcaption', null, f.name));
      box.append(fig);
    }
    showError('');
    const label = `📎 ${files.map((f) => f.name).join(', ')}`;
    enqueue({ id: uuid(), files, label, row: userBubble(box) });
  }

  // ---------- polling ----------
  async function poll() {
    try {
      const q = `after=${cursor}&language=${encodeURIComponent(LANG)}`;
      const fresh = ingest(await call(`/chat/api/messages?${q}`, { cache: 'no-store' }, 20000));
      setConn('poll', false);
      if (!restored) {
        restored = true;
        restoreSent(fresh);
        // Typed before the first poll came back: that message opens the chat instead.
        if (!fresh.length && !cursor && !userSpoke) openChat();
      }
    } catch (err) {
      if (err.retry && !err.server) setConn('poll', true);
    }
  }
  let restored = false;
  // An empty chat opens with the menu of what people come for (sent once, no bubble).
  async function openChat() {
    try { ingest(await request({ id: uuid(), body: { kind: 'open' } })); } catch { /* the menu follows the first message too */ }
  }
  async function pollLoop() {
    await poll();
    takeJoinCode();
    sendJoin();
    setTimeout(pollLoop, 3000);
  }

  // ---------- demo identity switcher (the server answers 404 outside demo mode) ----------
  async function setupDemo() {
    let found = null;
    try {
      const r = await fetch('/chat/api/demo/identities', { cache: 'no-store', credentials: 'same-origin' });
      if (r.ok) found = await r.json();
    } catch { /* offline */ }
    if (!found || !Array.isArray(found.identities)) {
      if (ROLE !== 'owner') { store.set(ROLE_KEY, 'owner'); location.reload(); }
      return;
    }
    if (found.current !== ROLE) { store.set(ROLE_KEY, found.current); location.reload(); return; }
    const pick = $('identity');
    for (const who of found.identities) {
      const option = el('option', null, roleLabel(who));
      option.value = who.role;
      option.dataset.role = who.role;
      if (who.code) option.dataset.code = who.code;
      pick.append(option);
    }
    pick.value = ROLE;
    pick.hidden = false;
    pick.addEventListener('change', async () => {
      const role = pick.value;
      try {
        // the server issues a new session (cookie) for the chosen identity
        await call('/chat/api/demo/identity', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ role, language: LANG }),
        }, 20000);
        store.set(ROLE_KEY, role);
        location.reload();
      } catch (err) {
        pick.value = ROLE;
        showError(err.detail || 'HTTP error');
      }
    });
  }

  // ---------- UI words ----------
  function applyWords() {
    document.documentElement.lang = ui === 'zh' ? 'zh-CN' : 'en';
    document.title = `claimbot · ${t.title}`;
    $('title').textContent = t.title;
    input.placeholder = t.placeholder;
    $('send-label').textContent = t.send;
    $('send').setAttribute('aria-label', t.send);
    for (const [id, key] of [['attach', 'attach'], ['loc', 'location']]) {
      $(id).title = t[key]; $(id).setAttribute('aria-label', t[key]);
    }
    connLine.textContent = t.retrying;
    const pick = $('identity');
    pick.title = t.identity; pick.setAttribute('aria-label', t.identity);
    for (const option of pick.options) option.textContent = roleLabel(option.dataset);
    for (const b of log.querySelectorAll('.loc-big span')) b.textContent = t.location;
  }
  function roleLabel(who) {
    return `${t.roles[who.role] || who.role}${who.code ? ` ${who.code}` : ''}`;
  }
  function setLocale(code) {
    const next = uiOf(code);
    store.set(LOCALE_KEY, next);
    if (next === ui) return;
    ui = next; t = UI[ui];
    applyWords();
  }

  // ---------- 快处快赔: /chat?join=CODE ----------
  // The invitation's link carries the code: it goes as the first message once (on a first
  // visit the server keeps it while the privacy notice is agreed to, then goes on with it).
  let joinCode = null;
  function takeJoinCode() {
    const params = new URLSearchParams(location.search);
    const code = (params.get('join') || '').replace(/[^0-9A-Za-z-]/g, '').slice(0, 20);
    if (!code) return;
    params.delete('join');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
    joinCode = code;
  }
  let joinSends = 0;
  function sendJoin() {
    if (!joinCode || joinSends >= 1) return;
    joinSends += 1;
    send({ kind: 'text', text: `/join ${joinCode}` }, `快处 ${joinCode}`);
  }

  // ---------- boot ----------
  async function boot() {
    applyWords();

    $('composer').addEventListener('submit', (e) => { e.preventDefault(); submitText(); });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitText();
      }
    });
    input.addEventListener('input', autosize);
    $('attach').addEventListener('click', () => fileIn.click());
    fileIn.addEventListener('change', () => {
      const files = Array.from(fileIn.files || []);
      fileIn.value = '';
      if (files.length) sendFiles(files);
    });
    locBtn.addEventListener('click', shareLocation);

    setupDemo();
    await poll();                       // after=0: the newest messages, then our own
    let pending = [];
    try { pending = JSON.parse(store.get(OUTBOX_KEY) || '[]'); } catch { /* corrupt */ }
    for (const p of Array.isArray(pending) ? pending : []) {
      if (p && p.id && p.body) enqueue({ id: p.id, body: p.body, label: p.label || '', row: userBubble(p.label || '') });
    }
    takeJoinCode();
    sendJoin();
    setTimeout(pollLoop, 3000);
  }

  boot();
})();
