// Microphone and speaker selection. Speakers: `setSinkId()` on every call's <audio>
// element, where the browser has it (Chromium desktop, Firefox 116+, Safari 18.4+); the
// choice is hidden elsewhere. Microphones: the package captures the microphone itself and has
// no device option, so the demo adds the chosen `deviceId` to the audio constraints of the
// package's getUserMedia() calls: it applies to the next call. Labels appear once the page
// has had microphone permission (after the first call).

const NONE = '';

/**
 * @param {{mic: HTMLSelectElement, speaker: HTMLSelectElement, speakerRow: HTMLElement, log: (t: string, l?: string) => void}} els
 * @returns {{refresh: () => Promise<void>, applySink: (audio: HTMLAudioElement) => void}}
 */
export function makeDevices({ mic, speaker, speakerRow, log }) {
  const canSink = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  speakerRow.hidden = !canSink;
  const md = navigator.mediaDevices;

  if (md?.getUserMedia) {
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = (constraints) => {
      if (mic.value !== NONE && constraints && constraints.audio) {
        const audio = constraints.audio === true ? {} : { ...constraints.audio };
        audio.deviceId = { exact: mic.value };
        constraints = { ...constraints, audio };
      }
      return original(constraints);
    };
  }

  function fill(select, devices, fallback) {
    const chosen = select.value;
    select.replaceChildren(new Option('System default', NONE));
    devices.forEach((d, i) => select.add(new Option(d.label || `${fallback} ${i + 1}`, d.deviceId)));
    select.value = [...select.options].some((o) => o.value === chosen) ? chosen : NONE;
  }

  async function refresh() {
    if (!md?.enumerateDevices) return;
    const all = await md.enumerateDevices();
    // "default" and "communications" are aliases of real devices (Chromium): the first option covers them.
    const real = (kind) => all.filter((d) => d.kind === kind && d.deviceId && !['default', 'communications'].includes(d.deviceId));
    fill(mic, real('audioinput'), 'Microphone');
    fill(speaker, real('audiooutput'), 'Speaker');
  }

  function applySink(audio) {
    if (!canSink || audio.dataset.sink === speaker.value) return;
    audio.dataset.sink = speaker.value;
    audio.setSinkId(speaker.value).catch((e) => log(`speaker: ${e.name}: ${e.message}`, 'warn'));
  }

  md?.addEventListener?.('devicechange', () => refresh().catch(() => {}));
  mic.addEventListener('change', () => log(`microphone for the next call: ${mic.selectedOptions[0]?.text}`));
  speaker.addEventListener('change', () => {
    log(`speaker: ${speaker.selectedOptions[0]?.text}`);
    for (const audio of document.querySelectorAll('audio')) applySink(audio);
  });
  return { refresh, applySink };
}
