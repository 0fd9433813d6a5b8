import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  DisconnectError,
  jsonSerializer,
  ofType,
  type ChannelSpec,
  type ClosedEvent,
  type ConnectionState,
} from '../../lib';
import { TestServer } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { recordUnhandledErrors } from '../support/unhandled';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/**
 * DESIGN.md 0.2, "User code never escapes into a socket or timer handler". On virtual time a
 * throw out of a socket handler escapes through `scheduler.flush()` (in a real process it is an
 * uncaught exception: exit code 1), and an observable error nobody handles is reported through
 * `config.onUnhandledError` (recorded here instead of being rethrown on a timer).
 */

type ServerMsg = { channel: string; topic?: string; n?: number };
type ClientMsg = { op: string; topic?: string; n?: bigint };

const topic = (name: string): ChannelSpec<ServerMsg, ClientMsg> => ({
  key: name,
  subscribe: { op: 'sub', topic: name },
  unsubscribe: { op: 'unsub', topic: name },
  match: (m) => m.topic === name,
});

/** A `subscribe` message the default JSON serializer cannot encode (a BigInt field). */
const UNSERIALIZABLE: ChannelSpec<ServerMsg, ClientMsg> = {
  key: 'big',
  subscribe: { op: 'sub', topic: 'big', n: 1n },
  match: (m) => m.topic === 'big',
};

/** What the default serializer throws for {@link UNSERIALIZABLE}'s `subscribe`. */
function serializerError(): Error {
  try {
    jsonSerializer.serialize({ op: 'sub', topic: 'big', n: 1n });
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the JSON serializer to refuse a BigInt');
}

/** A subscription to `source$` that records what it delivers, and when (virtual time). */
class Recorded<T> {
  readonly values: T[] = [];
  readonly errors: Array<[number, unknown]> = [];
  completed = false;
  readonly subscription: Subscription;

  constructor(source$: Observable<T>, scheduler: SchedulerLike) {
    this.subscription = source$.subscribe({
      next: (value) => this.values.push(value),
      error: (error: unknown) => this.errors.push([scheduler.now(), error]),
      complete: () => (this.completed = true),
    });
  }
}

function record<T>(source$: Observable<T>, scheduler: SchedulerLike): Recorded<T> {
  return new Recorded(source$, scheduler);
}

describe('user code never escapes into a socket or timer handler', () => {
  const unhandled = recordUnhandledErrors();

  describe('a channel whose subscribe cannot be serialized', () => {
    it('subscribed while online: errors at once with the serializer error, is removed, and later reconnects send nothing for it (#8 item 1)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness<ServerMsg, ClientMsg>(scheduler, {}, {}, 1_000);
        const good = record(h.conn.channel(topic('good')), scheduler);
        let bad: Recorded<ServerMsg> | undefined;
        h.at(5, () => (bad = record(h.conn.channel(UNSERIALIZABLE), scheduler)));
        h.at(10, () => h.server.drop());
        h.at(300, () => h.server.drop());

        expect(() => scheduler.flush()).not.toThrow();

        const expected = serializerError();
        expect(bad!.errors).toEqual([[5, expect.any(expected.constructor)]]);
        expect((bad!.errors[0]![1] as Error).message).toBe(expected.message);
        expect(h.timeline.filter(([, e]) => /^(Reconnected|SubscriptionsRestored|Closed)/.test(e))).toEqual([
          [110, 'Reconnected 1'],
          [110, 'SubscriptionsRestored 1'],
          [500, 'Reconnected 2'],
          [500, 'SubscriptionsRestored 1'],
          [1_000, 'Closed manual 0'],
        ]);
        for (const connection of h.server.connections) {
          expect(connection.received).toEqual([{ op: 'sub', topic: 'good' }]);
        }
        expect(good.errors).toEqual([]);
        expect(good.completed).toBe(true);
        expect(unhandled.errors).toEqual([]);
      });
    });

    it('subscribed while offline: the replay skips it and errors it, replays and counts every other channel, and the connection goes on (#8 item 1)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness<ServerMsg, ClientMsg>(scheduler, {}, {}, 1_000);
        const a = record(h.conn.channel(topic('A')), scheduler);
        let bad: Recorded<ServerMsg> | undefined;
        let c: Recorded<ServerMsg> | undefined;
        h.at(10, () => h.server.drop());
        h.at(50, () => {
          bad = record(h.conn.channel(UNSERIALIZABLE), scheduler);
          c = record(h.conn.channel(topic('C')), scheduler);
        });
        h.at(120, () => h.server.send({ channel: 'feed', topic: 'C', n: 1 }));
        h.at(300, () => h.server.drop());

        expect(() => scheduler.flush()).not.toThrow();

        const expected = serializerError();
        expect(bad!.errors).toEqual([[110, expect.any(expected.constructor)]]);
        expect((bad!.errors[0]![1] as Error).message).toBe(expected.message);
        const lifecycle = h.timeline.filter(([, e]) => /^(Reconnected|SubscriptionsRestored|Disconnected|Closed)/.test(e));
        expect(lifecycle).toEqual([
          [10, 'Disconnected error 0'],
          [110, 'Reconnected 1'],
          [110, 'SubscriptionsRestored 2'],
          [300, 'Disconnected error 0'],
          [500, 'Reconnected 2'],
          [500, 'SubscriptionsRestored 2'],
          [1_000, 'Disconnected manual 0 p'],
          [1_000, 'Closed manual 0'],
        ]);
        const [first, second, third] = h.server.connections.map((connection) => connection.received);
        expect(first).toEqual([{ op: 'sub', topic: 'A' }]);
        expect(second).toEqual([
          { op: 'sub', topic: 'A' },
          { op: 'sub', topic: 'C' },
        ]);
        expect(third).toEqual(second);
        expect(c!.values).toEqual([{ channel: 'feed', topic: 'C', n: 1 }]);
        expect([a.errors, c!.errors]).toEqual([[], []]);
        expect(unhandled.errors).toEqual([]);
      });
    });

    it('subscribed before the first link: the first link errors it, sends the others, and stays up (#8 item 1)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness<ServerMsg, ClientMsg>(scheduler, {}, {}, 100);
        const bad = record(h.conn.channel(UNSERIALIZABLE), scheduler);
        const good = record(h.conn.channel(topic('good')), scheduler);
        h.at(5, () => h.conn.send({ op: 'hello' }));

        expect(() => scheduler.flush()).not.toThrow();

        expect(bad.errors).toEqual([[0, expect.any(serializerError().constructor)]]);
        expect(h.timeline).toEqual([
          [0, 'Connecting 0'],
          [0, 'Connected'],
          [100, 'Disconnected manual 0 p'],
          [100, 'Closed manual 0'],
        ]);
        expect(h.server.connections[0]!.received).toEqual([{ op: 'sub', topic: 'good' }, { op: 'hello' }]);
        expect(good.errors).toEqual([]);
        expect(unhandled.errors).toEqual([]);
      });
    });

    /**
     * The same scenario in a real process against a real `ws` server: in 0.1.0 the replay throws
     * out of the socket's open handler and the process exits with code 1. The child exits on its
     * own once the connection is closed (code 2 if something keeps it alive for 5 s).
     */
    it('in a real Node process against a ws server: the process lives and exits with code 0 (#8 item 1)', async () => {
      const script = `
        const { WebSocketServer } = require('ws');
        const { connect } = require(${JSON.stringify(path.join(ROOT, 'lib'))});
        setTimeout(() => { process.stdout.write('still running after 5 s\\n'); process.exit(2); }, 5000).unref();
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
          const conn = connect({ url: 'ws://127.0.0.1:' + wss.address().port, heartbeat: false });
          const errors = { error: () => undefined };
          conn.channel({ key: 'big', subscribe: { op: 'sub', topic: 'big', n: 1n }, match: () => false }).subscribe(errors);
          conn.channel({ key: 'good', subscribe: { op: 'sub', topic: 'good' }, match: () => false }).subscribe(errors);
          wss.on('connection', (socket) => socket.on('message', (data) => {
            if (!String(data).includes('good')) return;
            process.stdout.write('good subscription received\\n');
            conn.close();
            wss.close();
          }));
        });
      `;
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['-r', 'ts-node/register/transpile-only', '-e', script],
          // Loading lib/ through ts-node takes seconds, many more on a loaded machine.
          { cwd: ROOT, timeout: 60_000 },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
      expect(result).toEqual({ code: 0, stdout: 'good subscription received\n', stderr: '' });
    }, 70_000);
  });

  describe('a match that throws (the README pattern on a null frame)', () => {
    const THROWING_UNSUBSCRIBE: Array<[string, ChannelSpec<ServerMsg, ClientMsg>['unsubscribe']]> = [
      [
        'building its unsubscribe throws',
        () => {
          throw new Error('unsubscribe builder failed');
        },
      ],
      ['its unsubscribe cannot be serialized', { op: 'unsub', topic: 'x', n: 1n }],
    ];

    it.each(THROWING_UNSUBSCRIBE)(
      'errors that channel with the thrown error; when %s nothing escapes, and the other channels, messages$ and the link go on (#8 item 2)',
      (_what, unsubscribe) => {
        const scheduler = testScheduler();
        scheduler.run(() => {
          const h = harness<ServerMsg, ClientMsg>(scheduler, {}, {}, 100);
          const x = record(
            h.conn.channel({
              key: 'x',
              subscribe: { op: 'sub', topic: 'x' },
              unsubscribe,
              match: (m) => m.channel === 'x', // as in the README: TypeError on a null frame
            }),
            scheduler,
          );
          const everything = record(
            h.conn.channel({ key: 'all', subscribe: { op: 'sub', topic: 'all' }, match: () => true }),
            scheduler,
          );
          const messages = record(h.conn.messages$, scheduler);
          h.at(5, () => h.server.send(null));
          h.at(6, () => h.server.send({ channel: 'x', n: 1 }));

          expect(() => scheduler.flush()).not.toThrow();

          expect(x.errors).toEqual([[5, expect.any(TypeError)]]);
          expect(String(x.errors[0]![1])).toMatch(/null/);
          expect(x.values).toEqual([]); // released: the later 'x' message is not delivered to it
          expect(everything.values).toEqual([null, { channel: 'x', n: 1 }]);
          expect(messages.values).toEqual([null, { channel: 'x', n: 1 }]);
          expect(h.timeline).toEqual([
            [0, 'Connecting 0'],
            [0, 'Connected'],
            [100, 'Disconnected manual 0 p'],
            [100, 'Closed manual 0'],
          ]);
          expect(h.states).toEqual(['connecting', 'connected', 'closed']);
          expect(h.server.connections[0]!.received).toEqual([
            { op: 'sub', topic: 'x' },
            { op: 'sub', topic: 'all' },
          ]);
          expect(unhandled.errors).toEqual([]);
        });
      },
    );

    it('releases the channel on the server: its unsubscribe is sent (#8 item 2)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness<ServerMsg, ClientMsg>(scheduler, {}, {}, 100);
        const x = record(h.conn.channel({ ...topic('x'), match: (m) => m.channel === 'x' }), scheduler);
        h.at(5, () => h.server.send(null));

        expect(() => scheduler.flush()).not.toThrow();

        expect(x.errors).toEqual([[5, expect.any(TypeError)]]);
        expect(h.server.connections[0]!.received).toEqual([
          { op: 'sub', topic: 'x' },
          { op: 'unsub', topic: 'x' },
        ]);
        expect(unhandled.errors).toEqual([]);
      });
    });
  });

  describe('a wake$ that errors or completes', () => {
    it('errors while connected: nothing escapes, the link stays up and later reconnects still work (#8 item 3)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const wake$ = new Subject<void>();
        const h = harness<ServerMsg, ClientMsg>(scheduler, { wake$ }, {}, 1_000);
        h.at(20, () => wake$.error(new Error('wake source failed')));
        h.at(50, () => h.server.drop());

        expect(() => scheduler.flush()).not.toThrow();

        expect(h.timeline).toEqual([
          [0, 'Connecting 0'],
          [0, 'Connected'],
          [50, 'Disconnected error 0'],
          [50, 'Reconnecting 1 100'],
          [150, 'Connecting 1'],
          [150, 'Reconnected 1'],
          [150, 'SubscriptionsRestored 0'],
          [1_000, 'Disconnected manual 0 p'],
          [1_000, 'Closed manual 0'],
        ]);
        expect(unhandled.errors).toEqual([]);
      });
    });

    it('errors during backoff: nothing escapes, and the retry comes at its scheduled time (#8 item 3)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const wake$ = new Subject<void>();
        const h = harness<ServerMsg, ClientMsg>(scheduler, { wake$ }, {}, 1_000);
        h.at(10, () => h.server.drop());
        h.at(50, () => wake$.error(new Error('wake source failed')));

        expect(() => scheduler.flush()).not.toThrow();

        expect(h.timeline.slice(2, 7)).toEqual([
          [10, 'Disconnected error 0'],
          [10, 'Reconnecting 1 100'],
          [110, 'Connecting 1'],
          [110, 'Reconnected 1'],
          [110, 'SubscriptionsRestored 0'],
        ]);
        expect(h.timeline[h.timeline.length - 1]).toEqual([1_000, 'Closed manual 0']);
        expect(unhandled.errors).toEqual([]);
      });
    });

    it('completes: the connection goes on (#8 item 3)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const wake$ = new Subject<void>();
        const h = harness<ServerMsg, ClientMsg>(scheduler, { wake$ }, {}, 1_000);
        h.at(20, () => wake$.complete());
        h.at(50, () => h.server.drop());

        expect(() => scheduler.flush()).not.toThrow();

        expect(h.timeline.map(([, e]) => e)).toEqual([
          'Connecting 0',
          'Connected',
          'Disconnected error 0',
          'Reconnecting 1 100',
          'Connecting 1',
          'Reconnected 1',
          'SubscriptionsRestored 0',
          'Disconnected manual 0 p',
          'Closed manual 0',
        ]);
        expect(unhandled.errors).toEqual([]);
      });
    });
  });

  describe("the README's channel example, with the error callbacks the README passes", () => {
    it('against a server refusing with HTTP 401: Closed{fatal}, the channel and messages$ error with ConnectionClosedError, nothing unhandled (#8 item 4)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const server = new TestServer({ mode: 'refuse', refuseStatus: 401 });
        type Tick = { channel: string; symbol: string; price: number };
        type Order = { op: string; channel?: string; symbol?: string; qty?: number };

        // README "Example", with an error callback wherever the stream can error.
        const conn = connect<Tick, Order>({ url: 'ws://feed.example/ws', WebSocket: server.WebSocket });
        const states: ConnectionState[] = [];
        const retries: string[] = [];
        const closed: ClosedEvent<Order>[] = [];
        const prices: number[] = [];
        const channelErrors: unknown[] = [];
        const messageErrors: unknown[] = [];
        conn.state$.subscribe((state) => states.push(state));
        conn.events$.pipe(ofType('Reconnecting')).subscribe((e) => retries.push(`retry ${e.attempt} in ${e.delay} ms`));
        conn.events$.pipe(ofType('Closed')).subscribe((e) => closed.push(e));
        const btc$ = conn.channel({
          key: 'ticker:BTC',
          subscribe: { op: 'subscribe', channel: 'ticker', symbol: 'BTC' },
          unsubscribe: { op: 'unsubscribe', channel: 'ticker', symbol: 'BTC' },
          match: (m) => m.channel === 'ticker' && m.symbol === 'BTC',
        });
        btc$.subscribe({
          next: (tick) => prices.push(tick.price),
          error: (error: unknown) => channelErrors.push(error),
        });
        conn.messages$.subscribe({ error: (error: unknown) => messageErrors.push(error) });
        conn.send({ op: 'order', qty: 1 });

        expect(() => scheduler.flush()).not.toThrow();

        expect(closed).toEqual([
          expect.objectContaining({ type: 'Closed', reason: 'fatal', unsent: [{ op: 'order', qty: 1 }] }),
        ]);
        expect(closed[0]!.error).toBeInstanceOf(DisconnectError);
        expect(channelErrors).toEqual([expect.any(ConnectionClosedError)]);
        expect(channelErrors[0]).toMatchObject({ reason: 'fatal' });
        expect(messageErrors).toEqual([expect.any(ConnectionClosedError)]);
        expect(states).toEqual(['connecting', 'closed']);
        expect(retries).toEqual([]);
        expect(prices).toEqual([]);
        expect(server.connections).toHaveLength(1);
        expect(unhandled.errors).toEqual([]);
      });
    });

    /**
     * The README is what users copy. A subscription to a channel or to `messages$` (streams that
     * error when the connection ends other than by `close()`) with no error callback crashes a
     * Node process through RxJS's unhandled-error report. Checked on the README's code blocks.
     */
    it('every README example that subscribes to a channel or messages$ passes an error callback (#8 item 4)', () => {
      expect(readmeSubscriptionsWithoutErrorCallback()).toEqual([]);
    });
  });
});

/**
 * `.subscribe(…)` calls in the README's `ts` code blocks whose source is a channel (a
 * `.channel(…)` call, or a variable holding one) or `messages$`, and that pass no error
 * callback (a second argument, or an observer object with `error`) and no `catchError`.
 */
function readmeSubscriptionsWithoutErrorCallback(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const offenders: string[] = [];
  for (const code of blocks) {
    const channels = new Set<string>(); // variables holding a channel Observable
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
        if (/\.channel\(/.test(node.initializer?.getText() ?? '')) channels.add(node.name.text);
      }
      if (isSubscribeCall(node)) {
        const receiver = node.expression.expression.getText();
        const root = /^[\w$]+/.exec(receiver)?.[0] ?? '';
        const canError = /messages\$|\.channel\(/.test(receiver) || channels.has(root);
        if (canError && !/catchError\(/.test(receiver) && !passesErrorCallback(node)) offenders.push(node.getText());
      }
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true));
  }
  return offenders;
}

function isSubscribeCall(node: ts.Node): node is ts.CallExpression & { expression: ts.PropertyAccessExpression } {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'subscribe'
  );
}

/** `subscribe(next, error)`, or `subscribe({ …, error })`. */
function passesErrorCallback(call: ts.CallExpression): boolean {
  const [first] = call.arguments;
  if (call.arguments.length >= 2) return true;
  return (
    first !== undefined &&
    ts.isObjectLiteralExpression(first) &&
    first.properties.some((property) => property.name?.getText() === 'error')
  );
}
