/**
 * The web demo's page script, bundled with the library by esbuild at start-up: rx-reconnect in
 * the browser with the native `WebSocket` (no `WebSocket` option), against the demo pub/sub
 * server, with the state, the event timeline, two live channels, the offline buffer count, and
 * buttons that kill and restart the server and send orders.
 */
import { connect, type ConnectionEvent } from '../../../lib';
import { topicChannel, TOPICS, type ClientMessage, type Tick } from '../../protocol';
import { API } from '../web-protocol';
import { ChannelView } from './channel-view';
import { byId } from './dom';
import { postNote } from './page-notes';
import { ServerView } from './server-view';
import { describeEvent, TimelineView } from './timeline-view';

const wsUrl = document.querySelector<HTMLMetaElement>('meta[name="ws-url"]')?.content ?? '';
byId('ws-url').textContent = wsUrl;

const timeline = new TimelineView(byId('timeline'));
/** Orders `send()` buffered, oldest first, until the library writes them (`conn.buffered` says how many wait). */
const waiting: ClientMessage[] = [];
const bufferedIds = new Set<number>();
const stateView = byId<HTMLOutputElement>('state');
const bufferedView = byId<HTMLOutputElement>('buffered');
const ordersSummary = byId('orders-summary');
const kill = byId<HTMLButtonElement>('kill');
const restart = byId<HTMLButtonElement>('restart');
const server = new ServerView(
  { status: byId('server-status'), log: byId('server-log'), orders: byId('server-orders'), kill, restart },
  (id) => bufferedIds.has(id),
);

// Quick retries so a restart is picked up within a second or two; a breaker so a long outage
// shows `circuit-open`. No heartbeat option: browsers have no protocol ping, the default is off.
const conn = connect<Tick, ClientMessage>({
  url: wsUrl,
  retry: { initialDelay: 200, maxDelay: 2_000 },
  circuitBreaker: { failureThreshold: 6, resetTimeout: 5_000 },
});

const channels = new Map<string, ChannelView>();
for (const topic of TOPICS) {
  const view = new ChannelView(topic, byId('channels'));
  channels.set(topic, view);
  conn
    .channel(topicChannel(topic))
    .subscribe({
      next: (tick) => view.tick(tick),
      error: (error: unknown) => timeline.action(`channel ${topic}`, `errored: ${String(error)}`, 'red'),
    });
}
setInterval(() => channels.forEach((view) => view.refresh()), 250);

conn.state$.subscribe((state) => {
  stateView.dataset.state = state;
  stateView.textContent = state;
  postNote({ kind: 'state', state });
});

conn.events$.subscribe({
  next: (event: ConnectionEvent<ClientMessage>) => {
    timeline.event(event);
    postNote({ kind: 'event', type: event.type, text: describeEvent(event) });
    if (event.type === 'Connected' || event.type === 'Reconnected') channels.forEach((view) => view.linkUp());
    if (event.type === 'Disconnected') channels.forEach((view) => view.linkLost());
    // The flush runs right after an all-clear has reached every subscriber: look once it has.
    queueMicrotask(() => {
      const flushed = event.type === 'Closed' ? [] : waiting.splice(0, waiting.length - conn.buffered);
      if (flushed.length > 0) {
        timeline.action('buffer flushed', `${flushed.map(describe).join(', ')}: written in order, after the subscriptions`, 'green');
      }
      showBuffer();
    });
  },
  error: (error: unknown) => timeline.action('events$', `errored: ${String(error)}`, 'red'),
});

let nextOrder = 1;
let ordersSent = 0;
byId('send-order').addEventListener('click', () => {
  const order: ClientMessage = { op: 'order', id: nextOrder };
  const before = conn.buffered;
  try {
    conn.send(order);
  } catch (error) {
    timeline.action(`send(order ${order.id})`, `threw: ${String(error)}`, 'red');
    return;
  }
  nextOrder++;
  ordersSent++;
  const buffered = conn.buffered > before;
  if (buffered) {
    waiting.push(order);
    bufferedIds.add(order.id);
  }
  const state = stateView.dataset.state ?? '';
  timeline.action(`send(order ${order.id})`, buffered ? `while ${state}: buffered` : 'sent at once', buffered ? 'yellow' : 'bold');
  postNote({ kind: 'order', id: order.id, buffered });
  showBuffer();
});

byId('retry-now').addEventListener('click', () => {
  // Logged first: the events the call causes are delivered before it returns.
  timeline.action('retry()', 'attempt now (a no-op unless waiting for a retry or the breaker)');
  try {
    conn.retry();
  } catch (error) {
    timeline.action('retry()', `threw: ${String(error)}`, 'red');
  }
});

byId('reconnect').addEventListener('click', () => {
  timeline.action('reconnect()', 'a fresh link: the current one is closed (1000), subscriptions and buffer follow');
  try {
    conn.reconnect();
  } catch (error) {
    timeline.action('reconnect()', `threw: ${String(error)}`, 'red');
  }
});

kill.addEventListener('click', () => serverButton(kill, API.kill, 'kill server'));
restart.addEventListener('click', () => serverButton(restart, API.restart, 'restart server'));

/** Calls the demo's kill or restart endpoint; the server feed then updates the buttons. */
function serverButton(button: HTMLButtonElement, path: string, label: string): void {
  button.disabled = true;
  timeline.action(label, `POST ${path}`, 'blue');
  fetch(path, { method: 'POST' })
    .then(async (response) => {
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    })
    .catch((error: unknown) => {
      timeline.action(label, `failed: ${String(error)}`, 'red');
      button.disabled = label === 'kill server' ? !server.isRunning : server.isRunning;
    });
}

function showBuffer(): void {
  bufferedView.textContent = String(conn.buffered);
  bufferedView.classList.toggle('pending', conn.buffered > 0);
  ordersSummary.textContent =
    ordersSent === 0 ? 'no orders yet' : `orders: ${ordersSent} sent, ${bufferedIds.size} of them buffered while offline`;
}

function describe(message: ClientMessage): string {
  return message.op === 'order' ? `order ${message.id}` : `${message.op} ${message.topic}`;
}

// Leaving the page closes the connection: nothing keeps retrying in a discarded tab.
window.addEventListener('pagehide', () => conn.close());
