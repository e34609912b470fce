// Summaries of repeated measurements: median and spread (min, max), n.

/** @param {number[]} xs */
export function summary(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, median: null, min: null, max: null, values: xs };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { n: v.length, median, min: v[0], max: v[v.length - 1], values: xs };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
