// A slow path to a TURN server: a UDP relay on loopback that forwards every datagram to the
// real coturn and back, each one delayed. It stands for a TURN server far away (a
// transcontinental provider, a congested mobile uplink), where a TURN allocation (two
// request/response round trips: the 401 challenge, then the authenticated Allocate) takes
// longer than the 2 s ICE gathering deadline.
//
//   import { slowTurn } from './lib/slowturn.mjs';
//   const slow = await slowTurn({ target: 13478, delayMs: 600 });  // {port, urls, close()}
//   iceServers: [{ urls: slow.urls, username, credential }]
//   ...; await slow.close();
//
// One upstream socket per client address, so that coturn sees one 5-tuple per browser socket
// (as it would through a NAT). Only loopback: it listens on 127.0.0.1 and forwards to
// 127.0.0.1. Bounded: it closes itself after maxMs (default 120 s) and never holds more than
// 256 client mappings.

import { createSocket } from 'node:dgram';

const MAX_CLIENTS = 256;

/**
 * Starts the slow relay.
 * @param {{target: number, delayMs?: number, maxMs?: number}} options the coturn UDP port
 * @returns {Promise<{port: number, urls: string[], close: () => Promise<void>}>}
 */
export async function slowTurn({ target, delayMs = 600, maxMs = 120_000 }) {
  const front = createSocket('udp4');
  const clients = new Map(); // "addr:port" -> upstream socket
  const timers = new Set();
  let closed = false;

  const later = (fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, delayMs);
    timers.add(t);
  };

  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let up = clients.get(key);
    if (!up) {
      if (clients.size >= MAX_CLIENTS) return;
      up = createSocket('udp4');
      up.on('message', (reply) => later(() => front.send(reply, from.port, from.address)));
      up.on('error', () => {});
      up.bind(0, '127.0.0.1');
      clients.set(key, up);
    }
    later(() => up.send(msg, target, '127.0.0.1'));
  });
  front.on('error', () => {});
  await new Promise((resolve) => front.bind(0, '127.0.0.1', resolve));
  const { port } = front.address();

  async function close() {
    if (closed) return;
    closed = true;
    clearTimeout(bound);
    for (const t of timers) clearTimeout(t);
    for (const up of clients.values()) up.close();
    await new Promise((r) => front.close(r));
  }
  const bound = setTimeout(close, maxMs);
  bound.unref();
  return { port, urls: [`turn:127.0.0.1:${port}?transport=udp`], close };
}
