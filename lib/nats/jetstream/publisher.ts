import { AsyncSubject, map, type Observable, type Subscription } from 'rxjs';
import { ackedSender, type AckedSender } from '../../index';
import { NatsArgumentError } from '../errors/nats-argument-error';
import { NatsNoRespondersError } from '../errors/nats-no-responders-error';
import type { NatsHeadersInit } from '../headers';
import { internalsOf } from '../internal';
import type { NatsConnection } from '../nats-connection';
import { nuid } from '../nuid';
import type { NatsClientOp, NatsServerOp } from '../ops';
import { publishOp } from '../publish-op';
import { checkTimeout, parseApiResponse, type ResolvedJetStreamOptions } from './api';
import { JetStreamResponseError } from './jetstream-api-error';
import type { PubAck } from './types';

/** Default ms a publish waits for its PubAck ({@link JetStreamPublishOptions.timeout}). */
export const DEFAULT_PUB_ACK_TIMEOUT = 30_000;

/** Options of {@link JetStreamClient.publish}. */
export interface JetStreamPublishOptions {
  /**
   * The message's `Nats-Msg-Id`: the stream stores one message per id within its
   * `duplicate_window`, so a publish resent after a reconnect (or republished by the
   * application after an error) is stored once. Visible ASCII, no CR or LF.
   * @default a fresh unique id (22 base-62 characters)
   */
  msgId?: string;
  /**
   * Other headers of the message (as for `publish()`); `Nats-Msg-Id` is set from `msgId`.
   * @default none
   */
  headers?: NatsHeadersInit;
  /**
   * Ms from the call to `AckTimeoutError` when no PubAck came (offline time included); the
   * message is no longer resent then, though a copy already written may be stored. Each
   * distinct value has its own acked sender (its own bounds of 1000 messages and 8 MiB).
   * @default the `timeout` given to {@link jetstream}, else 30000
   */
  timeout?: number;
  /**
   * Attempts after the first when the server answers `503 no responders`: no stream stores
   * `subject`, or — during a failover — its stream has no leader yet. They are
   * {@link PUBLISH_RETRY_WAIT} (250 ms) apart, with the same `msgId` (each with its own
   * `timeout`); then the publish errors with `NatsNoRespondersError`. 0 fails at once.
   * @default 20 (5 s: longer than a leader election)
   */
  retries?: number;
}

/** Default retries of a publish answered "no responders" ({@link JetStreamPublishOptions.retries}). */
export const DEFAULT_PUBLISH_RETRIES = 20;
/** Ms between two attempts of a publish answered "no responders". */
export const PUBLISH_RETRY_WAIT = 250;

/** Status of the `HMSG` the server answers a publish no stream listens to. */
const NO_RESPONDERS = 503;
const MSG_ID = /^[!-~]+$/;

type PubOp = Extract<NatsClientOp, { op: 'PUB' }>;

/**
 * Acked publishes of one JetStream context: each message carries a reply subject in one
 * wildcard inbox (`_INBOX.<nuid>.<n>`, one subscription for every publish, restored on every
 * link) whose last token is its ack id; the core's acked sender keeps it until its PubAck
 * arrives and resends it on every new link, after the subscriptions are restored, with the
 * same `Nats-Msg-Id`, so the stream stores it once.
 */
export class JetStreamPublisher {
  private readonly prefix = `_INBOX.${nuid()}.`;
  private readonly senders = new Map<number, AckedSender<NatsServerOp, NatsClientOp>>();
  private next = 0;
  private inbox: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ResolvedJetStreamOptions,
  ) {
    internalsOf(nc); // a connection made by natsConnect(), checked now
  }

  publish(subject: string, data?: string | Uint8Array, options: JetStreamPublishOptions = {}): Observable<PubAck> {
    if (typeof options !== 'object' || options === null) throw new NatsArgumentError('options', options, 'an object or undefined');
    const { headers = {}, timeout: own } = options;
    if (typeof headers !== 'object' || headers === null) throw new NatsArgumentError('options.headers', headers, 'an object');
    const msgId: unknown = options.msgId ?? headerMsgId(headers) ?? nuid();
    if (typeof msgId !== 'string' || !MSG_ID.test(msgId)) throw new NatsArgumentError('options.msgId', msgId, 'visible ASCII characters');
    const timeout = checkTimeout('options.timeout', own) ?? this.options.timeout ?? DEFAULT_PUB_ACK_TIMEOUT;
    const { retries = DEFAULT_PUBLISH_RETRIES } = options;
    if (!(typeof retries === 'number' && Number.isSafeInteger(retries) && retries >= 0)) {
      throw new NatsArgumentError('options.retries', retries, 'a whole number from 0');
    }
    const send = (): Observable<PubAck> => {
      const { op, size } = publishOp(
        subject,
        data,
        { reply: this.prefix + String(this.next++), headers: { ...headers, 'Nats-Msg-Id': msgId } },
        this.nc.info,
      );
      // Refused while the connection drains, counted in stats() as plain publishes are.
      return internalsOf(this.nc).published(size, () => {
        this.open();
        return this.sender(timeout).send(op);
      }).pipe(map((ack) => toPubAck(subject, ack)));
    };
    const first = send(); // throws, keeping nothing, when not accepted
    if (retries === 0) return first;
    // Eager like the first attempt: the retries happen whether or not anyone subscribes.
    const outcome = new AsyncSubject<PubAck>();
    const settle = (ack$: Observable<PubAck>, left: number): void => {
      ack$.subscribe({
        next: (ack) => outcome.next(ack),
        complete: () => outcome.complete(),
        error: (error: unknown) => {
          if (!(error instanceof NatsNoRespondersError) || left === 0) {
            outcome.error(error);
            return;
          }
          internalsOf(this.nc).scheduler.schedule(() => {
            let again: Observable<PubAck>;
            try {
              again = send();
            } catch (thrown) {
              outcome.error(thrown);
              return;
            }
            settle(again, left - 1);
          }, PUBLISH_RETRY_WAIT);
        },
      });
    };
    settle(first, retries);
    return outcome.asObservable();
  }

  /** The ack inbox's subscription: made before the first publish is written, so its PubAck has somewhere to go. */
  private open(): void {
    if (this.inbox && !this.inbox.closed) return;
    this.inbox = this.nc.subscribe(`${this.prefix}*`).subscribe({ error: () => undefined });
  }

  private sender(timeout: number): AckedSender<NatsServerOp, NatsClientOp> {
    let sender = this.senders.get(timeout);
    if (sender === undefined) {
      const prefix = this.prefix;
      sender = ackedSender(internalsOf(this.nc).conn, {
        id: (message) => ((message as PubOp).reply ?? '').slice(prefix.length),
        ackOf: (message) => (message.op === 'MSG' && message.subject.startsWith(prefix) ? message.subject.slice(prefix.length) : undefined),
        timeout,
      });
      this.senders.set(timeout, sender);
    }
    return sender;
  }
}

/** A `Nats-Msg-Id` given among the headers (when `msgId` is not). */
function headerMsgId(headers: NatsHeadersInit): string | undefined {
  const value = headers['Nats-Msg-Id'];
  return typeof value === 'string' ? value : undefined;
}

/** The PubAck in an inbox message; throws the stream's refusal or a no-responders answer. */
function toPubAck(subject: string, op: NatsServerOp): PubAck {
  if (op.op !== 'MSG') throw new JetStreamResponseError(subject, op.op);
  if (op.status === NO_RESPONDERS && op.data.length === 0) throw new NatsNoRespondersError(subject);
  const ack = parseApiResponse<PubAck>(subject, op.data);
  if (typeof ack.stream !== 'string' || typeof ack.seq !== 'number') {
    throw new JetStreamResponseError(subject, new TextDecoder().decode(op.data).slice(0, 200));
  }
  return ack;
}
