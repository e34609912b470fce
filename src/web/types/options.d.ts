/**
 * Where a call's audio comes from, and its codec preferences: options of `phone.call()`
 * and `call.answer()`. They work the same whether or not the call adopts a pre-warmed
 * peer connection (which has no tracks: the call adds its own).
 */
export interface SoftphoneMediaOptions {
  /** `getUserMedia` audio constraints (echo cancellation, a device ...). Default `true`. */
  audio?: true | MediaTrackConstraints;
  /** The microphone to capture (`{ deviceId: { exact } }`), from `phone.devices()`. */
  deviceId?: string;
  /**
   * A stream the application already has: its tracks are sent as they are and stay the
   * application's (the call never stops them). Not with `audio` or `deviceId`.
   */
  stream?: MediaStream;
  /**
   * Codecs to put first, in order (`RTCRtpTransceiver.setCodecPreferences`); the others
   * (and telephone-event) follow in the browser's order.
   */
  codecs?: SoftphoneCodec[];
  /**
   * The most the audio sender may send, bits/s (6000-510000), set as `encodings[].maxBitrate`
   * once the answer has settled on opus; with G.722 or G.711 negotiated it is not applied.
   */
  opusMaxBitrate?: number;
}

/** Options of `phone.call()`. */
export interface SoftphoneCallOptions extends SoftphoneMediaOptions {
  /** Offer video as well as audio. Default false. */
  video?: boolean;
  /** Extra INVITE headers. */
  headers?: SoftphoneHeaders;
  /**
   * Hide the caller: `From: "Anonymous" <sip:anonymous@anonymous.invalid>` and
   * `Privacy: id` (the PBX still authenticates the configured user). Default false.
   */
  anonymous?: boolean;
  /** The display name of this call's From, instead of the configured `displayName`. */
  displayName?: string;
}

/** Options of `call.answer()`. */
export interface SoftphoneAnswerOptions extends SoftphoneMediaOptions {
  /** Send video too (captures the camera). Default false: audio only. */
  video?: boolean;
  /** Extra headers on the 200 OK. */
  headers?: SoftphoneHeaders;
}

/** Extra headers of a request the call sends: hold, resume, transfer (REFER), sendInfo. */
export interface SoftphoneRequestOptions {
  headers?: SoftphoneHeaders;
}

/** An RFC 3326 `Reason` header: `SIP;cause=486;text="..."` or `Q.850;cause=16`. */
export interface SoftphoneReason {
  /** Default `'SIP'`. */
  protocol?: 'SIP' | 'Q.850';
  /** A SIP status (100-699) or a Q.850 cause (0-127). */
  cause: number;
  text?: string;
}

/** How `call.reject()` / `call.hangup()` end a call. */
export interface SoftphoneEndOptions {
  /** The rejection's status, 300-699 (default 486). Ignored for BYE and CANCEL. */
  status?: number;
  /** The rejection's reason phrase (default: the status' usual one). */
  reasonPhrase?: string;
  /** A `Reason` header on the rejection, BYE or CANCEL. */
  reason?: SoftphoneReason;
  headers?: SoftphoneHeaders;
}

/** Options of `call.sendDtmf()`. */
export interface SoftphoneDtmfOptions {
  /** In the media (RFC 4733, default) or by SIP INFO. */
  mode?: 'rfc4733' | 'info';
  /** Each tone's duration, 40-6000 ms. Default 100. */
  duration?: number;
  /** The gap between tones, 30-6000 ms. Default 70. */
  interToneGap?: number;
}

/** New digest credentials for `phone.setCredentials()`: a password or an HA1. */
export type SoftphoneCredentials =
  | { password: string; ha1?: never; authUser?: string }
  | { ha1: string; password?: never; authUser?: string };

/** `phone.connectionState`. */
export type SoftphoneConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

/** The caller's identity as the PBX asserts it. */
export interface SoftphoneIdentity {
  uri: string;
  displayName?: string;
  /** The header it came from. */
  source: 'pAssertedIdentity' | 'remotePartyId';
}

/**
 * `call.transfer({ replaces })`: attended transfer. `replaces` is the other call (or its
 * `id`), connected, whose party the far end is asked to call in our place.
 */
export interface SoftphoneTransferOptions {
  replaces: SoftphoneCall | number;
}

/** One media device, as `enumerateDevices()` lists it (`label` is empty before a permission). */
export interface SoftphoneDevice {
  deviceId: string;
  label: string;
  groupId: string;
}

/** What `phone.devices()` resolves to. */
export interface SoftphoneDevices {
  audioInputs: SoftphoneDevice[];
  audioOutputs: SoftphoneDevice[];
  videoInputs: SoftphoneDevice[];
}

/** The media devices changed (`devicechange`): the lists as they are now. */
export interface SoftphoneDevicesEvent extends SoftphoneDevices {
  type: 'devices';
}
