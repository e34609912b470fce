// Loaded before the package: wraps RTCPeerConnection and getUserMedia so that the tests can
// see every peer connection and captured track the driver makes (leaks, directions, DTMF).
// The driver reaches both through the page's globals, so the wrappers see its calls.
(() => {
  const pcs = [];
  const tracks = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.__config = args[0] ?? {};
      this.__createdAt = performance.now();
      pcs.push(this);
    }
    close() {
      this.__closedAt ??= performance.now();
      super.close();
    }
  };
  const devices = navigator.mediaDevices;
  const gum = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await gum(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  };
  const isWarmIdle = (pc) =>
    pc.__config.iceCandidatePoolSize > 0 && pc.signalingState === 'stable' && !pc.localDescription && !pc.remoteDescription;
  window.mediaTracker = {
    pcs,
    tracks,
    /** Peer connections of calls not closed yet (an idle pre-warmed one is not a call's). */
    openPcs: () => pcs.filter((pc) => pc.signalingState !== 'closed' && !isWarmIdle(pc)).length,
    /** Pre-warmed peer connections waiting for a call (open, no description yet). */
    warmPcs: () => pcs.filter(isWarmIdle),
    /** Captured tracks still live (a microphone left on). */
    liveTracks: () => tracks.filter((t) => t.readyState === 'live').length,
    /** The peer connection that produced the tracks of `stream` (a call's remoteStream). */
    pcOf(stream) {
      if (!stream) return undefined;
      const remote = stream.getTracks();
      return pcs.find((pc) => pc.getReceivers().some((r) => remote.includes(r.track)));
    },
  };
})();
