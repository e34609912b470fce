// @ts-check
// Audio level meters: a MediaStream's loudness through a WebAudio AnalyserNode, shown as a
// bar (and as data-level, 0 to 1, on the meter element). The scale is dBFS from -60 to 0.
// The context starts on the Connect click (browsers start audio only after a gesture).

import { find } from './dom.js';

/** @type {AudioContext | null} */
let ctx = null;

/** Starts the meters' AudioContext; call from a user gesture. */
export function unlockMeters() {
  ctx ??= new AudioContext();
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
}

/**
 * @param {HTMLElement} el a `.meter` element holding a `.bar` child
 * @returns {{attach: (stream: MediaStream | null) => void}}
 */
export function makeMeter(el) {
  const bar = find(el, '.bar', HTMLElement);
  /** @type {MediaStream | null} */
  let stream = null;
  /** @type {MediaStreamAudioSourceNode | null} */
  let source = null;
  /** @type {AnalyserNode | null} */
  let analyser = null;
  /** @type {Float32Array<ArrayBuffer>} */
  let data = new Float32Array(0);

  /** @param {number} level 0 to 1 */
  function show(level) {
    el.dataset.level = level.toFixed(3);
    bar.style.width = `${Math.round(level * 100)}%`;
    el.setAttribute('aria-valuenow', String(Math.round(level * 100)));
  }

  setInterval(() => {
    if (!analyser) return show(0);
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const rms = Math.sqrt(sum / data.length);
    const db = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
    show(Math.min(1, Math.max(0, (db + 60) / 60)));
  }, 100);

  return {
    attach(next) {
      if (next === stream) return;
      source?.disconnect();
      source = analyser = null;
      data = new Float32Array(0);
      stream = next;
      if (!next || !ctx || next.getAudioTracks().length === 0) return;
      source = ctx.createMediaStreamSource(next);
      analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      data = new Float32Array(analyser.fftSize);
      source.connect(analyser);
    },
  };
}
