// The few SDP facts the Asterisk-shaped peer reads and writes: the direction of an offer, the
// answer to a hold (the same SDP with the answering direction and the o= version bumped, RFC
// 3264 section 8), and the ICE ufrag (to tell an ICE restart from a plain re-offer).

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** The direction of the first media section (or of the session), 'sendrecv' when none is given. */
export function direction(sdp) {
  const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdp ?? '');
  return m ? m[1] : 'sendrecv';
}

/** The direction that answers an offered one (RFC 3264 section 6.1). */
export function answeringDirection(offered) {
  return { sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' }[offered] ?? 'sendrecv';
}

/** `sdp` with every direction attribute set to `dir` (added to media sections without one). */
export function withDirection(sdp, dir) {
  const lines = sdp.split(/\r?\n/).filter((l) => l !== '');
  const out = [];
  let inMedia = false;
  let mediaHasDir = false;
  const closeMedia = () => {
    if (inMedia && !mediaHasDir) out.push(`a=${dir}`);
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      closeMedia();
      inMedia = true;
      mediaHasDir = false;
      out.push(line);
      continue;
    }
    const d = /^a=([a-z]+)$/.exec(line)?.[1];
    if (d && DIRECTIONS.includes(d)) {
      if (inMedia) {
        out.push(`a=${dir}`);
        mediaHasDir = true;
      }
      continue; // a session-level direction is dropped: each media section carries its own
    }
    out.push(line);
  }
  closeMedia();
  return out.join('\r\n') + '\r\n';
}

/** `sdp` with its o= session version incremented. */
export function bumpVersion(sdp) {
  return sdp.replace(/^(o=\S+ \S+ )(\d+)/m, (_, head, v) => head + (BigInt(v) + 1n).toString());
}

/** The first a=ice-ufrag value, or undefined. */
export function iceUfrag(sdp) {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1];
}
