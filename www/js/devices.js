// @ts-check
// Microphone and speaker selection, through the package: the lists come from
// `phone.devices()` and are refreshed on its `devices` event (a `devicechange`); the
// microphone choice is the `deviceId` of the next `call()` / `answer()` and is applied to the
// live calls at once with `call.setInputDevice()` (replaceTrack: no re-INVITE); the speaker is
// set on every call's <audio> with `phone.setOutputDevice()`. Where the browser cannot choose
// a speaker (no setSinkId) the choice is hidden, and hidden too if the package says
// `unsupported`. Labels appear once the page has had microphone permission (after the first
// call), so the lists are read again when a call connects.

import { errorOf } from './dom.js';

/**
 * @typedef {import('/pkg/index.js').Softphone} Softphone
 * @typedef {import('/pkg/index.js').SoftphoneCall} SoftphoneCall
 * @typedef {import('/pkg/index.js').SoftphoneDevice} SoftphoneDevice
 * @typedef {import('/pkg/index.js').SoftphoneDevices} SoftphoneDevices
 */

const NONE = '';

/**
 * @param {{mic: HTMLSelectElement, speaker: HTMLSelectElement, speakerRow: HTMLElement, log: (t: string, l?: string) => void}} els
 */
export function makeDevices({ mic, speaker, speakerRow, log }) {
  speakerRow.hidden = typeof HTMLMediaElement === 'undefined' || !('setSinkId' in HTMLMediaElement.prototype);
  /** @type {import('/pkg/index.js').Softphone | null} */
  let phone = null;
  /** @type {(() => void) | null} */
  let unsubscribe = null;
  /** @type {() => SoftphoneCall[]} the live calls a microphone change applies to (set by calls.js) */
  let liveCalls = () => [];

  /**
   * Lists `devices` in `select`, keeping the choice when it is still there.
   * @param {HTMLSelectElement} select
   * @param {SoftphoneDevice[]} devices
   * @param {string} fallback the name of a device without a label
   */
  function fill(select, devices, fallback) {
    const chosen = select.value;
    select.replaceChildren(new Option('System default', NONE));
    // "default" and "communications" are aliases of real devices (Chromium): the first option covers them.
    devices
      .filter((d) => d.deviceId && !['default', 'communications'].includes(d.deviceId))
      .forEach((d, i) => select.add(new Option(d.label || `${fallback} ${i + 1}`, d.deviceId)));
    select.value = [...select.options].some((o) => o.value === chosen) ? chosen : NONE;
  }

  /** @param {SoftphoneDevices} lists */
  function show(lists) {
    fill(mic, lists.audioInputs, 'Microphone');
    fill(speaker, lists.audioOutputs, 'Speaker');
  }

  async function refresh() {
    if (!phone) return;
    try {
      show(await phone.devices());
    } catch (thrown) {
      const e = errorOf(thrown);
      log(`devices: ${e.name}: ${e.message}`, 'warn');
    }
  }

  /** @param {HTMLAudioElement} audio */
  function applySink(audio) {
    if (!phone || speakerRow.hidden || audio.dataset.sink === speaker.value) return;
    audio.dataset.sink = speaker.value;
    phone.setOutputDevice(audio, speaker.value).catch((/** @type {unknown} */ thrown) => {
      const e = errorOf(thrown);
      if (e.code === 'unsupported') {
        speakerRow.hidden = true;
        log('speaker: this browser cannot choose the output device; audio plays on the default one', 'warn');
      } else {
        delete audio.dataset.sink;
        log(`speaker: ${e.name}: ${e.message}`, 'warn');
      }
    });
  }

  async function switchMicrophone() {
    const label = mic.selectedOptions[0]?.text;
    const calls = liveCalls();
    if (!calls.length) {
      log(`microphone for the next call: ${label}`);
      return;
    }
    for (const call of calls) {
      try {
        // "System default": no device named, the browser's default microphone.
        await (mic.value === NONE
          // @ts-expect-error declared `deviceId: string`, but undefined (no device: the default) is taken too (src/web/media/request.rs)
          ? call.setInputDevice(undefined)
          : call.setInputDevice(mic.value));
        log(`call #${call.id}: microphone switched to ${label} (no re-INVITE)`);
      } catch (thrown) {
        const e = errorOf(thrown);
        log(`call #${call.id}: microphone switch failed: ${e.name}: ${e.message}`, 'error');
      }
    }
  }

  mic.addEventListener('change', () => switchMicrophone());
  speaker.addEventListener('change', () => {
    log(`speaker: ${speaker.selectedOptions[0]?.text}`);
    for (const audio of document.querySelectorAll('audio')) applySink(audio);
  });

  return {
    refresh,
    applySink,
    /** The media options of the next call() / answer(): the chosen microphone, if any. */
    mediaOptions: () => (mic.value === NONE ? {} : { deviceId: mic.value }),
    /** @param {() => import('/pkg/index.js').SoftphoneCall[]} fn */
    setLiveCalls(fn) {
      liveCalls = fn;
    },
    /**
     * Follows a phone's devices (null when disconnected: the lists stay as they were).
     * @param {Softphone | null} p
     */
    setPhone(p) {
      unsubscribe?.();
      unsubscribe = null;
      phone = p;
      if (!p) return;
      unsubscribe = p.on('devices', (e) => show(e));
      refresh();
    },
  };
}
