// One UDP socket asks several STUN endpoints for its mapping (RFC 5389 Binding, no
// attributes) and prints {"host:port": "mapped address:port"} as JSON. The lab's own check
// that its NAT classes map as they claim (run in the client namespace).
//   node tests/netlab/stunmap.mjs 10.99.2.2:3478 10.99.2.2:3479
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

const targets = process.argv.slice(2).map((t) => {
  const [host, port] = t.split(':');
  return { host, port: Number(port) };
});
const socket = createSocket('udp4');
const pending = new Map();
const result = {};
socket.on('message', (msg) => {
  const id = msg.subarray(8, 20).toString('hex');
  const target = pending.get(id);
  if (!target) return;
  pending.delete(id);
  // XOR-MAPPED-ADDRESS (0x0020), IPv4.
  for (let i = 20; i + 4 <= msg.length; ) {
    const type = msg.readUInt16BE(i);
    const len = msg.readUInt16BE(i + 2);
    if (type === 0x0020 && msg[i + 5] === 1) {
      const port = msg.readUInt16BE(i + 6) ^ 0x2112;
      const ip = [0, 1, 2, 3].map((k) => msg[i + 8 + k] ^ [0x21, 0x12, 0xa4, 0x42][k]).join('.');
      result[`${target.host}:${target.port}`] = `${ip}:${port}`;
    }
    i += 4 + len + ((4 - (len % 4)) % 4);
  }
  if (pending.size === 0) done();
});
function done() {
  console.log(JSON.stringify(result));
  socket.close();
  process.exit(0);
}
socket.bind(0, () => {
  for (const t of targets) {
    const id = randomBytes(12);
    const req = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), id]);
    pending.set(id.toString('hex'), t);
    socket.send(req, t.port, t.host);
  }
  setTimeout(done, 2000);
});
