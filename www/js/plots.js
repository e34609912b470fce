// @ts-check
// Small live plots (SVG, no chart library): one series of the last 60 samples per plot,
// a polyline scaled to the plot's range, the latest value beside the title. A gap (no
// value) breaks the line.

import { find } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 240;
const H = 60;
const SAMPLES = 60;

/**
 * @param {HTMLElement} figure holds an `<svg>` and a `.value` element
 * @param {{unit: string, digits: number, min: number, max: number, fixedMax?: boolean, good: (v: number) => boolean}} scale
 *   `max` is the top of the range, raised to fit larger values unless `fixedMax`
 * @returns {{push: (v: number | undefined) => void, reset: () => void}}
 */
export function makePlot(figure, scale) {
  const svg = find(figure, 'svg', SVGSVGElement);
  const valueEl = find(figure, '.value', HTMLElement);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  /** @type {(number | undefined)[]} */
  let samples = [];

  function draw() {
    svg.replaceChildren();
    const top = scale.fixedMax ? scale.max : Math.max(scale.max, ...samples.filter((v) => v !== undefined));
    /** @param {number} v */
    const y = (v) => H - 2 - ((v - scale.min) / (top - scale.min || 1)) * (H - 4);
    /** @param {number} i */
    const x = (i) => (i / (SAMPLES - 1)) * W;
    /** @type {string[]} */
    let run = [];
    const runs = [run];
    samples.forEach((v, i) => {
      if (v === undefined) {
        run = [];
        runs.push(run);
      } else run.push(`${x(SAMPLES - samples.length + i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    for (const points of runs.filter((r) => r.length)) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', points.join(' '));
      svg.append(line);
    }
    const last = samples.at(-1);
    valueEl.textContent = last === undefined ? '–' : `${last.toFixed(scale.digits)}${scale.unit}`;
    figure.dataset.samples = String(samples.filter((v) => v !== undefined).length);
    figure.dataset.tone = last === undefined ? 'idle' : scale.good(last) ? 'ok' : 'bad';
  }

  draw();
  return {
    push(v) {
      samples.push(typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      if (samples.length > SAMPLES) samples = samples.slice(-SAMPLES);
      draw();
    },
    reset() {
      samples = [];
      draw();
    },
  };
}
