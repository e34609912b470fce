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
  let gain = null;
  let oscillators = [];
  let timer = null;

  function burst() {
    const t = ctx.currentTime;
    gain.gain.cancelScheduledValues(t);
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.12, t + 0.05);
    gain.gain.setValueAtTime(0.12, t + ON_S - 0.05);
    gain.gain.linearRampToValueAtTime(0, t + ON_S);
  }

  return {
    unlock() {
      ctx ??= new AudioContext();
      if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    },
    start() {
      if (timer !== null) return;
      this.unlock();
      gain = ctx.createGain();
      gain.gain.value = 0;
      gain.connect(ctx.destination);
      oscillators = [440, 480].map((hz) => {
        const o = ctx.createOscillator();
        o.frequency.value = hz;
        o.connect(gain);
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
      gain.disconnect();
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
