// Size reference: JsSIP 3.13.8 as an application bundles it (import JsSIP from 'jssip').
import JsSIP from 'jssip';

globalThis.JsSIP = JsSIP;
