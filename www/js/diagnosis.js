// @ts-check
// diagnose()'s result for a person: one table per part (SIP servers, STUN/TURN servers,
// networks), a coloured verdict per row and the hints beside it. Text only (textContent).
// The report holds no password or TURN credential; TURN usernames are shown, as the
// package's docs allow.

/**
 * @typedef {import('/pkg/index.js').SoftphoneDiagnosis} SoftphoneDiagnosis
 * @typedef {[string, string]} Verdict the words and the tone of a row's badge
 */

/** @type {Partial<Record<string, string>>} */
const NETWORK = {
  thisNetwork: 'This network',
  homeNat: 'Home / office NAT (UDP open)',
  udpBlocked: 'UDP blocked, TCP allowed',
  tcp443Only: 'Only TCP to port 443',
  symmetricNat: 'Mobile / symmetric NAT',
};

/** @type {Partial<Record<string, Verdict>>} */
const WS_VERDICT = {
  open: ['open', 'ok'],
  closedBeforeOpen: ['closed before open', 'bad'],
  timeout: ['no answer', 'bad'],
  refused: ['refused by the browser', 'bad'],
};

/** @type {Partial<Record<string, Verdict>>} */
const ICE_VERDICT = {
  ok: ['works', 'ok'],
  authFailed: ['credentials refused', 'bad'],
  unreachable: ['unreachable', 'bad'],
  error: ['error', 'bad'],
};

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [className]
 * @returns {HTMLElement}
 */
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** @param {Verdict} verdict */
function verdict([text, tone]) {
  const td = el('td');
  td.append(el('span', text, `badge ${tone}`));
  td.dataset.verdict = tone;
  return td;
}

/** @param {(string | undefined)[]} list */
function hints(list) {
  const td = el('td', undefined, 'hints');
  for (const h of list.filter(Boolean)) td.append(el('div', h));
  return td;
}

/**
 * @param {string} caption
 * @param {string[]} heads
 * @param {(string | Node)[][]} rows
 * @param {string} [className]
 */
function table(caption, heads, rows, className = '') {
  const t = document.createElement('table');
  t.className = `verdicts ${className}`.trim();
  t.append(el('caption', caption));
  const head = el('tr');
  for (const h of heads) head.append(el('th', h));
  t.createTHead().append(head);
  const body = t.createTBody();
  for (const cells of rows) {
    const tr = el('tr');
    tr.append(...cells.map((c) => (c instanceof Node ? c : el('td', c))));
    body.append(tr);
  }
  return t;
}

/** @param {number | undefined} v */
const ms = (v) => (typeof v === 'number' ? `${Math.round(v)} ms` : '–');

/**
 * Replaces `container`'s content with the diagnosis `d`.
 * @param {HTMLElement} container
 * @param {SoftphoneDiagnosis} d
 */
export function renderDiagnosis(container, d) {
  const summary = el('p', undefined, 'diagnosis-summary');
  summary.append(
    el('span', d.ok ? 'ready for calls' : 'problems found', `badge ${d.ok ? 'ok' : 'bad'}`),
    el('span', ` checked in ${ms(d.durationMs)}; ${d.iceServers.configured} configured and ${d.iceServers.fetched} fetched STUN/TURN server(s)${d.iceServers.fetchError ? ` (fetch failed: ${d.iceServers.fetchError})` : ''}`),
  );
  const ws = table('SIP servers (WebSocket)', ['Server', 'Result', 'Open', 'SIP OPTIONS', 'Hints'], d.websocket.map((c) => {
    const options = c.status === 'open' && c.options
      ? `${c.options.status} ${c.options.reason}${c.options.challenged ? ' (asks for auth)' : ''}, ${ms(c.options.rttMs)}`
      : c.status === 'open' ? 'no answer' : '–';
    return [c.url, verdict(WS_VERDICT[c.status] ?? [c.status, 'bad']), c.status === 'open' ? ms(c.openMs) : '–', options, hints(c.hints)];
  }), 'urls');
  const ice = table('STUN / TURN servers', ['Server', 'Result', 'Candidates', 'Time', 'Hints'], d.ice.map((c) => [
    `${c.url}${c.username ? ` (user ${c.username})` : ''}`,
    verdict(ICE_VERDICT[c.status] ?? [c.status, 'bad']),
    c.candidateTypes.join(', ') + (c.relayProtocol ? ` via ${c.relayProtocol}` : '') + (c.noNat ? ' (no NAT)' : ''),
    ms(c.timeToCandidateMs),
    hints([c.hint, ...c.errors.map((e) => `${e.code} ${e.text}`)]),
  ]), 'urls');
  const nets = table('Will calls work on…', ['Network', 'Verdict', 'Why'], d.verdicts.map((v) => [
    NETWORK[v.network] ?? v.network,
    verdict(v.ok ? ['yes', 'ok'] : ['no', 'bad']),
    v.message,
  ]));
  container.replaceChildren(summary, ws, ...(d.ice.length ? [ice] : [el('p', 'No STUN/TURN servers configured.', 'muted')]), nets);
}
