// @ts-check
// An incoming-call ringtone made with WebAudio (no audio file): two sine tones, 440 and
// 480 Hz (the North American ringing signal), 2 s on and 4 s off, faded in and out so that it
// does not click. Browsers start an AudioContext only after a user gesture: unlock() is called
// from the Connect click, so a later incoming call can ring.

const ON_S = 2;
const PERIOD_S = 6;

/** @returns {{unlock: () => void, start: () => void, stop: () => void, readonly playing: boolean, readonly contextState: string}} */
export function makeRingtone() {
  /** @type {AudioContext | null} */
  let ctx = null;
  /** @type {GainNode | null} */
  let gain = null;
  /** @type {OscillatorNode[]} */
  let oscillators = [];
  /** @type {ReturnType<typeof setInterval> | null} */
  let timer = null;

  /** One ring: 2 s of tone, faded in and out. */
  function burst() {
    if (!ctx || !gain) return;
    const t = ctx.currentTime;
    gain.gain.cancelScheduledValues(t);
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.12, t + 0.05);
    gain.gain.setValueAtTime(0.12, t + ON_S - 0.05);
    gain.gain.linearRampToValueAtTime(0, t + ON_S);
  }

  /**
   * The context, made on first use and resumed if the browser suspended it.
   * @returns {AudioContext}
   */
  function context() {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    return ctx;
  }

  return {
    unlock() {
      context();
    },
    start() {
      if (timer !== null) return;
      const audio = context();
      const out = audio.createGain();
      gain = out;
      out.gain.value = 0;
      out.connect(audio.destination);
      oscillators = [440, 480].map((hz) => {
        const o = audio.createOscillator();
        o.frequency.value = hz;
        o.connect(out);
        o.start();
        return o;
      });
      burst();
      timer = setInterval(burst, PERIOD_S * 1000);
    },
    stop() {
      if (timer === null) return;
      clearInterval(timer);
      timer = null;
      for (const o of oscillators) o.stop();
      oscillators = [];
      gain?.disconnect();
      gain = null;
    },
    get playing() {
      return timer !== null;
    },
    get contextState() {
      return ctx?.state ?? 'none';
    },
  };
}
