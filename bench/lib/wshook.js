// Injected into benchmark pages before any script runs (page.addInitScript): wraps
// WebSocket to timestamp, with performance.now(), each socket's creation, its open event,
// and each SIP request it sends or receives, in window.__wsLog. Both stacks use the page's
// WebSocket, so the same hook times both.
(() => {
  const Native = window.WebSocket;
  const log = (window.__wsLog = []);
  const first = (data) => {
    if (typeof data !== 'string') {
      try { data = new TextDecoder().decode(data); } catch { return '?'; }
    }
    const line = data.slice(0, data.indexOf('\r\n'));
    return line || JSON.stringify(data.slice(0, 4));
  };
  class HookedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      const id = log.filter((e) => e.ev === 'create').length;
      log.push({ ev: 'create', id, t: performance.now() });
      this.addEventListener('open', () => log.push({ ev: 'open', id, t: performance.now() }));
      this.addEventListener('close', () => log.push({ ev: 'close', id, t: performance.now() }));
      this.addEventListener('message', (e) => {
        if (window.__wsLogMessages) log.push({ ev: 'recv', id, t: performance.now(), line: first(e.data) });
      });
      this.__id = id;
    }
    send(data) {
      const t = performance.now();
      if (window.__wsLogMessages) log.push({ ev: 'send', id: this.__id, t, line: first(data) });
      return super.send(data);
    }
  }
  window.WebSocket = HookedWebSocket;
  window.__wsLogMessages = true;
})();
