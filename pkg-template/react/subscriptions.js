// @ts-check
'use client';
// softphone-core/react: the BLF and voicemail hooks.

import { useEffect, useState } from 'react';
import { read } from './store.js';

/**
 * @typedef {import('./index.js').Softphone} Softphone
 * @typedef {import('./index.js').SoftphoneSubscriptionStatus} SoftphoneSubscriptionStatus
 * @typedef {import('./index.js').SoftphoneBlfState} SoftphoneBlfState
 * @typedef {import('./index.js').SoftphoneMwiState} SoftphoneMwiState
 * @typedef {import('./index.js').SoftphoneNotifyBody} SoftphoneNotifyBody
 * @typedef {import('./index.js').BlfLamp} BlfLamp
 * @typedef {import('./index.js').UseMwiResult} UseMwiResult
 */

/** @type {Readonly<Record<string, BlfLamp>>} */
const NO_LAMPS = Object.freeze({});

/**
 * A frozen copy of what a subscription handle last said.
 * @template {SoftphoneNotifyBody} B
 * @param {import('./index.js').SoftphoneSubscription<B>} sub
 * @returns {{ status: SoftphoneSubscriptionStatus, state: B | null }}
 */
function subscriptionSnapshot(sub) {
  return { status: read(sub, 'status', 'ended'), state: read(sub, 'state', null) };
}

/**
 * BLF lamps for `targets` on `phone` (`useSoftphone().phone`): subscribes while mounted
 * (started at the phone's paced rate) and unsubscribes on unmount or when the list changes.
 * Returns, per target, `{ status, lamp, remoteIdentity, remoteDisplayName, state }`;
 * `lamp` is `null` until the first NOTIFY.
 * @param {import('./index.js').Softphone | null | undefined} phone
 * @param {readonly string[]} targets
 * @returns {Readonly<Record<string, import('./index.js').BlfLamp>>}
 */
export function useBlf(phone, targets) {
  const key = JSON.stringify(targets ?? []);
  const [lamps, setLamps] = useState(NO_LAMPS);
  useEffect(() => {
    if (!phone) {
      setLamps(NO_LAMPS);
      return undefined;
    }
    /** @type {string[]} */
    const list = JSON.parse(key);
    /** @type {Array<import('./index.js').SoftphoneSubscription<SoftphoneBlfState>>} */
    let subs = [];
    try {
      subs = phone.watchBlf(list);
    } catch (e) {
      console.error('[softphone-core/react] useBlf:', e);
    }
    /** @type {Record<string, BlfLamp>} */
    const current = {};
    const offs = subs.map((sub, i) => {
      const update = () => {
        const { status, state } = subscriptionSnapshot(sub);
        current[list[i]] = Object.freeze({
          target: list[i],
          status,
          lamp: state?.lamp ?? null,
          remoteIdentity: state?.remoteIdentity,
          remoteDisplayName: state?.remoteDisplayName,
          state,
        });
        setLamps(Object.freeze({ ...current }));
      };
      update();
      return sub.on(update);
    });
    return () => {
      for (const off of offs) off();
      for (const sub of subs) {
        try {
          sub.unsubscribe();
        } catch {
          // already ended with its phone
        }
      }
    };
  }, [phone, key]);
  return lamps;
}

/** @type {UseMwiResult} */
const NO_MWI = Object.freeze({ status: 'idle', waiting: false, newMessages: 0, oldMessages: 0, state: null });

/**
 * Voicemail of `target` (default: the phone's own address) on `phone`, subscribed while
 * mounted. Summaries the PBX sends on its own update it too.
 * @param {import('./index.js').Softphone | null | undefined} phone
 * @param {string} [target]
 * @returns {import('./index.js').UseMwiResult}
 */
export function useMwi(phone, target) {
  const [mwi, setMwi] = useState(NO_MWI);
  useEffect(() => {
    if (!phone) {
      setMwi(NO_MWI);
      return undefined;
    }
    /** @type {import('./index.js').SoftphoneSubscription<SoftphoneMwiState>} */
    let sub;
    try {
      sub = phone.mwi(target);
    } catch (e) {
      console.error('[softphone-core/react] useMwi:', e);
      return undefined;
    }
    const update = () => {
      const { status, state } = subscriptionSnapshot(sub);
      setMwi(
        Object.freeze({
          status,
          waiting: Boolean(state?.waiting),
          newMessages: state?.newMessages ?? 0,
          oldMessages: state?.oldMessages ?? 0,
          state,
        }),
      );
    };
    update();
    const off = sub.on(update);
    return () => {
      off();
      try {
        sub.unsubscribe();
      } catch {
        // already ended with its phone
      }
    };
  }, [phone, target]);
  return mwi;
}
