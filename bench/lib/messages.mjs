// The SIP messages of the parsing benchmark: one of each kind a softphone handles on every
// call or registration, as they look on this testbed's wire (Kamailio 5.6 in front, Chromium's
// WebRTC SDP with ICE candidates, RFC 5626 outbound parameters). Line ends are CRLF and
// Content-Length is the body's byte length.

const sdpOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 6f2b3c1e-6d0e-4c55-9f1b-7a1d2f0c9e11',
  'm=audio 50312 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 192.0.2.2',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.0.2.2 46243 typ host generation 0 network-id 1',
  'a=candidate:3423457212 1 udp 41885695 192.0.2.2 50312 typ relay raddr 0.0.0.0 rport 0 generation 0 network-id 1',
  'a=candidate:435653019 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active generation 0 network-id 1',
  'a=ice-ufrag:Qk9x',
  'a=ice-pwd:2p3+7QkqJZ4nX1xZbUu3lM9c',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 5B:1E:0A:41:C9:8F:7B:1C:3A:2D:77:90:AB:CD:EF:01:23:45:67:89:0A:BC:DE:F1:23:45:67:89:AB:CD:EF:01',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:6f2b3c1e-6d0e-4c55-9f1b-7a1d2f0c9e11 0c1d7e44-1e8a-4b7b-a1f0-3d3c7b0c9a55',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:2718281828 cname:Vx1kQ0n3yF2b8m5A',
  'a=ssrc:2718281828 msid:6f2b3c1e-6d0e-4c55-9f1b-7a1d2f0c9e11 0c1d7e44-1e8a-4b7b-a1f0-3d3c7b0c9a55',
  '',
].join('\r\n');

const sdpAnswer = sdpOffer
  .replace('a=setup:actpass', 'a=setup:active')
  .replace('o=- 4611731400430051336', 'o=- 8127364512093847561')
  .replace('a=ice-ufrag:Qk9x', 'a=ice-ufrag:b7Rt')
  .replace(/a=ssrc:2718281828/g, 'a=ssrc:3141592653');

function msg(head, body = '') {
  const lines = head.trim().split('\n').map((l) => l.trim());
  lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

export const MESSAGES = {
  REGISTER: msg(`
REGISTER sip:softphone.test SIP/2.0
Via: SIP/2.0/WS 3k9d2hq1m0ab.invalid;branch=z9hG4bK5a1c0d2e8f7b4c6a9e3d1f0b;rport
Max-Forwards: 70
From: <sip:alice@softphone.test>;tag=8f3c2a1b9d
To: <sip:alice@softphone.test>
Call-ID: 7d3f2a9c1b0e4d5f8a6c3e2b1d0f9a8c
CSeq: 2 REGISTER
Contact: <sip:alice@3k9d2hq1m0ab.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:2f1e8d7c-6b5a-4c3d-9e8f-7a6b5c4d3e2f>";reg-id=1;expires=600
Supported: path, outbound, gruu
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE
User-Agent: softphone-core/0.1.0
Authorization: Digest username="alice", realm="softphone.test", nonce="ZT3b1mU9xJ8vYp2kq0nWcA4tRz7eLfHs", uri="sip:softphone.test", response="0b8f6c1e2d3a4b5c6d7e8f9a0b1c2d3e", algorithm=MD5, cnonce="a1b2c3d4e5f6", qop=auth, nc=00000001
`),
  '401': msg(`
SIP/2.0 401 Unauthorized
Via: SIP/2.0/WS 3k9d2hq1m0ab.invalid;branch=z9hG4bK9e8d7c6b5a4f3e2d1c0b;rport=51234;received=127.0.0.1
From: <sip:alice@softphone.test>;tag=8f3c2a1b9d
To: <sip:alice@softphone.test>;tag=b27e1a4aa0f6c4f2a4b0d7f1e3c5a9b8.3f0e
Call-ID: 7d3f2a9c1b0e4d5f8a6c3e2b1d0f9a8c
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm="softphone.test", nonce="ZT3b1mU9xJ8vYp2kq0nWcA4tRz7eLfHs", qop="auth"
Server: softphone-test-kamailio
`),
  INVITE: msg(`
INVITE sip:bob@127.0.0.1:51240;transport=ws;alias=127.0.0.1~51240~5 SIP/2.0
Record-Route: <sip:127.0.0.1:18080;transport=ws;r2=on;lr=on;ftag=5c8e1d2f3a>
Record-Route: <sip:127.0.0.1:18080;transport=ws;r2=on;lr=on;ftag=5c8e1d2f3a>
Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bK3c1f.6a4b2e9d0c8f7a1e5b3d2c4f6a8e0b1d.0
Via: SIP/2.0/WS 9xq2m4k8d1ab.invalid;rport=51238;received=127.0.0.1;branch=z9hG4bK1f0e9d8c7b6a5f4e3d2c1b0a
Max-Forwards: 69
From: "Alice" <sip:alice@softphone.test>;tag=5c8e1d2f3a
To: <sip:bob@softphone.test>
Call-ID: 3e9f1c2b7a6d4e8f0a1b2c3d4e5f6a7b
CSeq: 2 INVITE
Contact: <sip:alice@127.0.0.1:51238;transport=ws;ob;alias=127.0.0.1~51238~5>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE
Supported: timer, replaces, outbound
Session-Expires: 1800;refresher=uac
Min-SE: 90
User-Agent: softphone-core/0.1.0
Content-Type: application/sdp
`, sdpOffer),
  '200': msg(`
SIP/2.0 200 OK
Via: SIP/2.0/WS 9xq2m4k8d1ab.invalid;rport=51238;received=127.0.0.1;branch=z9hG4bK1f0e9d8c7b6a5f4e3d2c1b0a
Record-Route: <sip:127.0.0.1:18080;transport=ws;r2=on;lr=on;ftag=5c8e1d2f3a>
Record-Route: <sip:127.0.0.1:18080;transport=ws;r2=on;lr=on;ftag=5c8e1d2f3a>
From: "Alice" <sip:alice@softphone.test>;tag=5c8e1d2f3a
To: <sip:bob@softphone.test>;tag=a9b8c7d6e5
Call-ID: 3e9f1c2b7a6d4e8f0a1b2c3d4e5f6a7b
CSeq: 2 INVITE
Contact: <sip:bob@127.0.0.1:51240;transport=ws;ob;alias=127.0.0.1~51240~5>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE
Supported: timer, replaces, outbound
Session-Expires: 1800;refresher=uac
Require: timer
Content-Type: application/sdp
`, sdpAnswer),
  BYE: msg(`
BYE sip:alice@127.0.0.1:51238;transport=ws;ob;alias=127.0.0.1~51238~5 SIP/2.0
Via: SIP/2.0/WS 127.0.0.1:18080;branch=z9hG4bK7d2e.1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d.0
Via: SIP/2.0/WS 7hq3n5p9c2xy.invalid;rport=51240;received=127.0.0.1;branch=z9hG4bK0a9b8c7d6e5f4a3b2c1d0e9f
Max-Forwards: 69
From: <sip:bob@softphone.test>;tag=a9b8c7d6e5
To: "Alice" <sip:alice@softphone.test>;tag=5c8e1d2f3a
Call-ID: 3e9f1c2b7a6d4e8f0a1b2c3d4e5f6a7b
CSeq: 1 BYE
User-Agent: softphone-core/0.1.0
`),
};
