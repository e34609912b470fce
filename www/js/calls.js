// @ts-check
// The calls: one card per live (or just-ended) call, the incoming-call banner and its
// ringtone, and the selected call's quality panel (live plots, level meters, the path badge,
// the selected candidate pair). Polls the selected call's getStats() every second. Each card
// shows its active quality warnings and transfer progress; with two calls, the held one can be
// transferred to the other (an attended transfer: `transfer({ replaces })`). Calls are placed
// and answered with the chosen microphone (`deviceId`, from devices.js).

import { formatDuration } from '/pkg/index.js';
import {
  CALL_TONE, END_BADGE, QUALITY_WORDS, describeCall, describeCandidate, describeEnd, describeMediaFailure, describeMos,
  describePath, describeQuality,
} from './describe.js';
import { $, button, byId, errorOf, find, input } from './dom.js';
import { makeMeter } from './meters.js';
import { makePlot } from './plots.js';

/**
 * @typedef {import('/pkg/index.js').Softphone} Softphone
 * @typedef {import('/pkg/index.js').SoftphoneCall} SoftphoneCall
 * @typedef {import('/pkg/index.js').SoftphoneCallEvent} SoftphoneCallEvent
 * @typedef {import('/pkg/index.js').SoftphoneQualityEvent} SoftphoneQualityEvent
 * @typedef {{ call: SoftphoneCall, el: HTMLElement, warnings: Set<string>, endedAt?: number, endText?: string,
 *   referTarget?: string, connectedAt?: number, replaces?: number, transferStatus?: string }} Entry
 *   a call on screen, live or just ended
 */

/**
 * Reads a call property that throws once the call is freed.
 * @template {keyof SoftphoneCall} K
 * @template F
 * @param {SoftphoneCall} call
 * @param {K} name
 * @param {F} fallback
 * @returns {SoftphoneCall[K] | F}
 */
function read(call, name, fallback) {
  try {
    return call[name];
  } catch {
    return fallback;
  }
}

/**
 * Shows `text` in the badge `el`, coloured by `tone`.
 * @param {HTMLElement} el
 * @param {string} text
 * @param {string} tone 'ok', 'busy', 'bad' or 'idle'
 */
export function badge(el, text, tone) {
  el.textContent = text;
  el.className = `${el.classList.contains('state') ? 'state ' : ''}badge ${tone}`;
}

/**
 * @param {{log: (t: string, l?: string) => void, ringtone: ReturnType<typeof import('./ringtone.js').makeRingtone>,
 *   devices: ReturnType<typeof import('./devices.js').makeDevices>, isRegistered: () => boolean}} deps
 */
export function makeCalls({ log, ringtone, devices, isRegistered }) {
  /** @type {Map<number, Entry>} live and just-ended calls by id */
  const calls = new Map();
  /** @type {number | null} */
  let selectedId = null;
  /** @type {Softphone | null} */
  let phone = null;

  const plots = {
    mos: makePlot($('plot-mos'), { unit: '', digits: 2, min: 1, max: 4.5, fixedMax: true, good: (v) => v >= 3.6 }),
    rtt: makePlot($('plot-rtt'), { unit: ' ms', digits: 0, min: 0, max: 100, good: (v) => v < 300 }),
    jitter: makePlot($('plot-jitter'), { unit: ' ms', digits: 1, min: 0, max: 20, good: (v) => v < 30 }),
    loss: makePlot($('plot-loss'), { unit: ' %', digits: 1, min: 0, max: 5, good: (v) => v < 3 }),
  };
  const meters = { input: makeMeter($('meter-in')), output: makeMeter($('meter-out')) };

  /**
   * Runs `fn`, logging what it throws: its result (true for none), or undefined when it threw.
   * @template T
   * @param {string} what
   * @param {() => T} fn
   * @returns {NonNullable<T> | true | undefined}
   */
  function safe(what, fn) {
    try {
      return fn() ?? true;
    } catch (thrown) {
      const e = errorOf(thrown);
      log(`${what}: ${e.name === 'SoftphoneCallError' ? `${e.code}: ` : ''}${e.message}`, 'error');
      return undefined;
    }
  }

  function clearQuality() {
    for (const p of Object.values(plots)) p.reset();
    for (const id of ['d-call', 'd-local', 'd-remote', 'd-packets']) $(id).textContent = '–';
    delete $('stats').dataset.inboundPackets;
    badge($('path'), 'no call', 'idle');
    $('path').dataset.kind = 'none';
    meters.input.attach(null);
    meters.output.attach(null);
  }

  /** @param {number | null} id */
  function select(id) {
    if (selectedId !== id) clearQuality();
    selectedId = id;
  }

  /**
   * Shows `call` (once): its card, and its entry.
   * @param {SoftphoneCall} call
   * @returns {Entry}
   */
  function add(call) {
    const known = calls.get(call.id);
    if (known) return known;
    const el = byId('call-template', HTMLTemplateElement).content.firstElementChild?.cloneNode(true);
    if (!(el instanceof HTMLElement)) throw new Error('#call-template holds no element');
    el.dataset.callId = String(call.id);
    find(el, '.direction', HTMLElement).textContent = call.direction === 'incoming' ? '↙ from' : '↗ to';
    find(el, '.remote', HTMLElement).textContent = call.remoteDisplayName ? `${call.remoteDisplayName} <${call.remoteUri}>` : call.remoteUri;
    el.addEventListener('click', (e) => {
      const action = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
      if (action instanceof HTMLElement && action.dataset.action) act(call.id, action.dataset.action);
    });
    const form = find(el, '.call-transfer', HTMLFormElement);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const target = find(form, 'input[name=target]', HTMLInputElement);
      const to = target.value.trim();
      const entry = calls.get(call.id);
      if (to && entry && safe('transfer', () => entry.call.transfer(to)) !== undefined) {
        log(`call #${call.id}: transferring to ${to}`);
        target.value = '';
      }
    });
    /** @type {Entry} */
    const entry = { call, el, warnings: new Set() };
    calls.set(call.id, entry);
    $('calls').append(el);
    if (selectedId === null) select(call.id);
    render(entry);
    return entry;
  }

  /**
   * Carries out a card's button `action` on the call `id`.
   * @param {number} id
   * @param {string} action the button's `data-action`
   */
  function act(id, action) {
    const entry = calls.get(id);
    if (!entry || entry.endedAt) return;
    const { call } = entry;
    switch (action) {
      case 'answer':
        safe('answer', () => call.answer(devices.mediaOptions()));
        break;
      case 'reject':
        safe('reject', () => call.reject());
        break;
      case 'hangup':
        safe('hang up', () => call.hangup());
        break;
      case 'hold':
        safe('hold', () => (call.hold.local ? call.resume() : call.hold()));
        break;
      case 'mute':
        safe('mute', () => (call.muted ? call.unmute() : call.mute()));
        break;
      case 'acceptTransfer': {
        const next = safe('accept transfer', () => call.acceptTransfer());
        entry.referTarget = undefined;
        if (typeof next === 'object') {
          select(next.id);
          add(next);
        }
        break;
      }
      case 'declineTransfer':
        safe('decline transfer', () => call.declineTransfer());
        entry.referTarget = undefined;
        break;
      case 'select':
        select(id);
        poll();
        break;
      case 'attendedTransfer': {
        const other = otherConnected(id);
        if (other && safe('transfer', () => call.transfer({ replaces: other.call })) !== undefined) {
          entry.transferStatus = `transferring to ${other.call.remoteUri}`;
          log(`call #${id}: attended transfer to call #${other.call.id} (${other.call.remoteUri})`);
        }
        break;
      }
      default:
    }
    renderAll();
  }

  /**
   * The one other connected call (the consultation call of an attended transfer), if any.
   * @param {number} id
   */
  function otherConnected(id) {
    const others = [...calls.values()].filter((e) => e.call.id !== id && !e.endedAt && read(e.call, 'state', '') === 'connected');
    return others.length === 1 ? others[0] : undefined;
  }

  /** @param {Entry} entry */
  function render(entry) {
    const { call, el } = entry;
    const part = (/** @type {string} */ selector) => find(el, selector, HTMLElement);
    const state = entry.endedAt ? 'ended' : read(call, 'state', 'ended');
    const hold = entry.endedAt ? { local: false, remote: false } : read(call, 'hold', { local: false, remote: false });
    const muted = !entry.endedAt && read(call, 'muted', false);
    badge(part('.state'), entry.endedAt ? (entry.endText ?? 'ended') : state, CALL_TONE[state] ?? 'idle');
    el.dataset.state = state;
    const connectedAt = entry.connectedAt ?? read(call, 'connectedAt', undefined);
    if (connectedAt !== undefined) entry.connectedAt = connectedAt;
    part('.duration').textContent = connectedAt === undefined ? '' : formatDuration(((entry.endedAt ?? Date.now()) - connectedAt) / 1000);
    const flags = [hold.local && 'on hold', hold.remote && 'held by remote', muted && 'muted'].filter(Boolean);
    part('.flags').textContent = flags.join(', ');
    /** @type {(action: string, visible: boolean) => void} */
    const show = (action, visible) => {
      part(`[data-action=${action}]`).hidden = !visible;
    };
    const incoming = state === 'incoming' && entry.replaces === undefined;
    const live = state === 'connected' || state === 'reconnecting';
    show('answer', incoming);
    show('reject', incoming);
    show('hangup', !entry.endedAt && !incoming);
    show('hold', live);
    show('mute', live);
    show('select', !entry.endedAt);
    const other = live && hold.local ? otherConnected(call.id) : undefined;
    show('attendedTransfer', Boolean(other) && !entry.transferStatus);
    if (other) part('[data-action=attendedTransfer]').textContent = `Transfer to ${other.call.remoteUri}`;
    part('.warnings').textContent = entry.endedAt ? '' : [...entry.warnings].map((w) => `⚠ ${QUALITY_WORDS[w] ?? w}`).join(' ');
    part('.transfer-status').textContent = entry.transferStatus ?? '';
    part('[data-action=hold]').textContent = hold.local ? 'Resume' : 'Hold';
    part('[data-action=mute]').textContent = muted ? 'Unmute' : 'Mute';
    part('.call-transfer').hidden = !live;
    part('.call-refer').hidden = !entry.referTarget || Boolean(entry.endedAt);
    part('.refer-target').textContent = entry.referTarget ?? '';
    el.classList.toggle('selected', selectedId === call.id);
    const audio = find(el, 'audio', HTMLAudioElement);
    const stream = entry.endedAt ? null : read(call, 'remoteStream', null);
    if (audio.srcObject !== stream) audio.srcObject = stream;
    devices.applySink(audio);
    if (selectedId === call.id) {
      meters.input.attach(entry.endedAt ? null : read(call, 'localStream', null));
      meters.output.attach(stream);
    }
  }

  function renderBanner() {
    const ringing = [...calls.values()].find(
      (e) => !e.endedAt && e.replaces === undefined && read(e.call, 'state', 'ended') === 'incoming',
    );
    const banner = $('incoming');
    banner.hidden = !ringing;
    banner.dataset.callId = ringing ? String(ringing.call.id) : '';
    if (ringing) {
      const c = ringing.call;
      $('incoming-from').textContent = c.remoteDisplayName ? `${c.remoteDisplayName} <${c.remoteUri}>` : c.remoteUri;
      ringtone.start();
    } else ringtone.stop();
    banner.dataset.ringtone = ringtone.playing ? 'playing' : 'stopped';
  }

  function renderAll() {
    for (const entry of calls.values()) render(entry);
    renderBanner();
    $('no-calls').hidden = calls.size > 0;
    button('call').disabled = !isRegistered() || !input('target').value.trim();
  }

  /** @param {SoftphoneCallEvent} e */
  function onEvent(e) {
    let entry = calls.get(e.callId);
    if (!entry && e.event !== 'ended') {
      const call = phone?.getCall(e.callId);
      if (call) entry = add(call);
    }
    log(`call #${e.callId}: ${describeCall(e)}`, e.event === 'ended' && e.cause?.kind === 'failed' ? 'warn' : 'info');
    if (!entry) return;
    if (e.event === 'transferRequested') entry.referTarget = e.target;
    if (e.event === 'transferProgress') {
      // 1xx: under way; 2xx: done (the call ends as transferred); 300+: failed, the call stays.
      entry.transferStatus = e.status >= 300 ? `transfer failed: ${e.status} ${e.reason}` : `transfer: ${e.status} ${e.reason}`;
      if (e.status >= 300) setTimeout(() => {
        entry.transferStatus = undefined;
        renderAll();
      }, 4000);
    }
    // A call that replaces another (the end of an attended transfer) is answered already.
    if (e.event === 'incoming' && e.replaces !== undefined) entry.replaces = e.replaces;
    if (e.event === 'connected') devices.refresh().catch(() => {});
    if (e.event === 'ended') {
      const ended = entry;
      ended.endedAt = Date.now();
      ended.endText = END_BADGE[e.cause?.kind] ?? describeEnd(e.cause);
      if (e.cause?.kind === 'mediaFailure') ended.el.title = describeMediaFailure(e.cause);
      if (selectedId === e.callId) clearQuality();
      // Keep the ended call on screen for a moment, then remove it.
      setTimeout(() => {
        ended.el.remove();
        calls.delete(e.callId);
        if (selectedId === e.callId) select([...calls.keys()].find((id) => !calls.get(id)?.endedAt) ?? null);
        renderAll();
      }, 4000);
    }
    renderAll();
  }

  async function poll() {
    const entry = selectedId === null ? undefined : calls.get(selectedId);
    const state = entry && !entry.endedAt ? read(entry.call, 'state', '') : '';
    if (!entry || (state !== 'connected' && state !== 'reconnecting')) return;
    let s;
    try {
      s = await entry.call.getStats();
    } catch {
      return; // ended meanwhile
    }
    if (entry.endedAt || selectedId !== entry.call.id) return;
    $('d-call').textContent = `#${entry.call.id} ${entry.call.remoteUri}`;
    $('d-local').textContent = describeCandidate(s.selectedPair?.local);
    $('d-remote').textContent = describeCandidate(s.selectedPair?.remote);
    $('d-packets').textContent = `${s.inbound.packets} / ${s.outbound.packets}`;
    $('stats').dataset.inboundPackets = String(s.inbound.packets);
    const [text, tone, kind] = describePath(s.selectedPair);
    badge($('path'), text, tone);
    $('path').dataset.kind = kind;
    plots.mos.push(s.mos ?? undefined);
    if (typeof s.mos !== 'number') find($('plot-mos'), '.value', HTMLElement).textContent = describeMos(s);
    plots.rtt.push(s.rttMs);
    plots.jitter.push(s.jitterMs);
    plots.loss.push(s.packetLossPercent);
  }

  clearQuality();
  // Durations tick every second; the selected call's stats too.
  setInterval(() => {
    for (const entry of calls.values()) render(entry);
    poll();
  }, 1000);

  /**
   * A `quality` event: logged, and shown on the call's card while it is active.
   * @param {SoftphoneQualityEvent} e
   */
  function onQuality(e) {
    log(`call #${e.callId}: ${describeQuality(e)}`, e.active ? 'warn' : 'info');
    const entry = calls.get(e.callId);
    if (!entry) return;
    if (e.active) entry.warnings.add(e.warning);
    else entry.warnings.delete(e.warning);
    render(entry);
  }

  devices.setLiveCalls(() =>
    [...calls.values()]
      .filter((e) => !e.endedAt && !['incoming', 'ended'].includes(read(e.call, 'state', 'ended')))
      .map((e) => e.call));

  return {
    onEvent,
    onQuality,
    renderAll,
    act,
    /**
     * Places a call to `target` and shows it.
     * @param {string} target
     */
    place(target) {
      const current = phone;
      if (!current || !target) return;
      const call = safe('call', () => current.call(target, devices.mediaOptions()));
      if (typeof call === 'object') {
        select(call.id);
        add(call);
        renderAll();
      }
    },
    /**
     * Sends `key` as DTMF on the selected connected call; returns false when there is none.
     * @param {string} key
     */
    dtmf(key) {
      const connected = [...calls.values()].filter((e) => !e.endedAt && read(e.call, 'state', '') === 'connected');
      const live = connected.find((e) => e.call.id === selectedId) ?? connected[0];
      if (!live) return false;
      if (safe('DTMF', () => live.call.sendDtmf(key))) log(`call #${live.call.id}: DTMF sent: ${key}`);
      return true;
    },
    /** @param {Softphone | null} p the phone whose calls to show (null when disconnected) */
    setPhone(p) {
      phone = p;
      if (p) return;
      for (const entry of calls.values()) entry.el.remove();
      calls.clear();
      select(null);
      renderAll();
    },
  };
}
