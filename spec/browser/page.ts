/**
 * Runs in Chromium (bundled by esbuild): rx-reconnect with the browser's own WebSocket — no
 * `WebSocket` option — against a real ws server. Reports what happened on `window.report`.
 */
import { connect, type ConnectionEvent } from '../../lib';

interface Report {
  transport: string;
  events: string[];
  states: string[];
  received: unknown[];
  done: boolean;
  error?: string;
}

declare global {
  interface Window {
    report: Report;
    wsUrl: string;
  }
}

const report: Report = { transport: '', events: [], states: [], received: [], done: false };
window.report = report;

type Msg = { topic?: string; seq?: number; op?: string };
const conn = connect<Msg, Msg>({ url: window.wsUrl, retry: { initialDelay: 20_000, jitter: 0 } });
report.transport = typeof WebSocket === 'function' ? 'native' : 'none';

conn.state$.subscribe((state) => report.states.push(state));
conn.events$.subscribe({
  next: (event: ConnectionEvent<Msg>) => {
    report.events.push(event.type);
    // The first link drops (the server ends it): buffer a send, then wake the page like a
    // browser coming back online — the default wake$ must attempt now, not in 20 s.
    if (event.type === 'Reconnecting') {
      conn.send({ op: 'buffered' });
      window.dispatchEvent(new Event('online'));
    }
    if (event.type === 'SubscriptionsRestored') {
      setTimeout(() => conn.close(), 50);
    }
  },
  complete: () => (report.done = true),
  error: (error: unknown) => (report.error = String(error)),
});
conn
  .channel({ key: 'news', subscribe: { op: 'sub', topic: 'news' }, match: (m) => m.topic === 'news' })
  .subscribe({ next: (m) => report.received.push(m), error: (e: unknown) => (report.error = String(e)) });
