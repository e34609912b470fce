// The JsSIP build the benchmarks load in the page, and the size they compare against:
// the whole library (JsSIP.UA, WebSocketInterface, RTCSession ...) as an app imports it,
// plus the internal message parser for the parsing benchmark (Parser.parseMessage is what
// JsSIP's Transport runs on every message received; JsSIP does not export it).
import JsSIP from 'jssip';
import { parseMessage } from 'jssip/lib/Parser.js';

globalThis.JsSIP = JsSIP;
globalThis.JsSIPParseMessage = parseMessage;
