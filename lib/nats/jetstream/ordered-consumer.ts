import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { NatsArgumentError } from '../errors/nats-argument-error';
import { internalsOf, type NatsInternals } from '../internal';
import { toMsg, type NatsMsg } from '../msg';
import type { NatsConnection } from '../nats-connection';
import { MAX_TIMER_MS } from '../nats-connect-options';
import { nuid } from '../nuid';
import type { NatsMsgOp, NatsServerOp } from '../ops';
import { parseAckSubject, type JsMsgInfo } from './ack-subject';
import { apiRequest, checkName, type ResolvedJetStreamOptions } from './api';
import { JetStreamApiError, JetStreamErrCode } from './jetstream-api-error';
import type { ConsumerConfig, ConsumerInfo } from './types';

/** Default ms between a consumer's idle heartbeats ({@link OrderedConsumerOptions.idleHeartbeat}). */
export const DEFAULT_IDLE_HEARTBEAT = 5_000;

/** Options of {@link JetStreamClient.orderedConsumer}. */
export interface OrderedConsumerOptions {
  /**
   * Only the stream's messages on this subject (wildcards allowed).
   * @default every message of the stream
   */
  filterSubject?: string;
  /**
   * The first stream sequence to deliver (a whole number from 1); the messages before it are
   * skipped. After that the consumer resumes from the last sequence it delivered, whatever
   * happens to links, nodes and leaders.
   * @default 1 (the whole stream)
   */
  startSeq?: number;
  /**
   * Ms between the server's idle heartbeats; when nothing (message or heartbeat) arrives for
   * twice this while the link is up, the consumer is re-created from the last sequence
   * delivered (its node may be gone while ours is not). From 100 to 2^31 − 1.
   * @default 5000
   */
  idleHeartbeat?: number;
  /**
   * Consecutive failed attempts to (re-)create the server's consumer after which the Observable
   * errors with the last failure. Each attempt waits for its answer (or the API timeout), then
   * 100 ms, 250 ms, 500 ms, then 1 s pass before the next; attempts are only made while a
   * link is up. During a failover they fail until the cluster has elected its leaders again.
   * @default Infinity
   */
  maxRecreateAttempts?: number;
}

/** A message of a JetStream stream, as a consumer delivers it. */
export interface JsMsg extends NatsMsg {
  /** Where it sits in its stream and consumer (from its `$JS.ACK…` reply subject). */
  readonly info: JsMsgInfo;
  /** Its stream sequence (`info.streamSequence`). */
  readonly seq: number;
}

/** The checked options of one ordered consumer. */
interface Plan {
  readonly stream: string;
  readonly filterSubject: string | undefined;
  readonly startSeq: number;
  readonly idleHeartbeat: number;
  readonly maxRecreateAttempts: number;
}

/** Status of a heartbeat or flow-control message. */
const STATUS_CONTROL = 100;
/** Delays between failed creations, ms (the last one repeats). */
const RETRY_DELAYS = [100, 250, 500, 1_000];
const NANOS_PER_MS = 1_000_000;

/** Checks the options of an ordered consumer; throws `NatsArgumentError` naming the field. */
export function orderedPlan(stream: unknown, options: unknown): Plan {
  const name = checkName('stream', stream);
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) throw new NatsArgumentError('options', options, 'an object or undefined');
  const {
    filterSubject,
    startSeq = 1,
    idleHeartbeat = DEFAULT_IDLE_HEARTBEAT,
    maxRecreateAttempts = Infinity,
  } = options as OrderedConsumerOptions;
  if (filterSubject !== undefined && (typeof filterSubject !== 'string' || filterSubject === '' || /\s/.test(filterSubject))) {
    throw new NatsArgumentError('options.filterSubject', filterSubject, 'a subject');
  }
  if (!(typeof startSeq === 'number' && Number.isSafeInteger(startSeq) && startSeq >= 1)) {
    throw new NatsArgumentError('options.startSeq', startSeq, 'a whole number from 1');
  }
  if (!(typeof idleHeartbeat === 'number' && idleHeartbeat >= 100 && idleHeartbeat <= MAX_TIMER_MS)) {
    throw new NatsArgumentError('options.idleHeartbeat', idleHeartbeat, `a number of ms from 100 to ${MAX_TIMER_MS}`);
  }
  if (!(typeof maxRecreateAttempts === 'number' && maxRecreateAttempts >= 1 && (Number.isInteger(maxRecreateAttempts) || maxRecreateAttempts === Infinity))) {
    throw new NatsArgumentError('options.maxRecreateAttempts', maxRecreateAttempts, 'a whole number from 1, or Infinity');
  }
  return { stream: name, filterSubject, startSeq, idleHeartbeat, maxRecreateAttempts };
}

/**
 * One server subscription of an ordered consumer: a sid whose subject changes on every new
 * link (the channel's resume hook picks a fresh inbox), so nothing of a consumer made for an
 * earlier link or subject is ever delivered.
 */
interface Generation {
  readonly sid: number;
  /** The deliver subject of the consumer being made or used. */
  subject: string;
  subscription: Subscription | undefined;
}

/**
 * An ordered push consumer (what nats.js calls an ordered consumer): an ephemeral, in-memory,
 * R1 consumer without acks, with flow control and idle heartbeats, that this client re-creates
 * from the last stream sequence it delivered whenever delivery may have broken: a new link (the
 * channel's resume hook), a consumer-sequence gap, a heartbeat saying a message was missed,
 * heartbeats that stop, or a status from the server. The application sees each stream message
 * once, in stream order.
 */
export class OrderedConsumer {
  private readonly internals: NatsInternals;
  /** The last stream sequence delivered to the application. */
  private lastSeq: number;
  /** The consumer sequence the next message must carry. */
  private expectedCseq = 1;
  private generation: Generation | undefined;
  /** The consumer serving the current generation (after its creation's answer). */
  private consumerName: string | undefined;
  /** Bumped by every creation: an answer for an older one is ignored. */
  private attempt = 0;
  private creating: Subscription | undefined;
  private retryTimer: Subscription | undefined;
  private watchdog: Subscription | undefined;
  private failures = 0;
  /** A consumer was created once: "stream not found" is from then on a failover's passing answer. */
  private everCreated = false;
  /** A creation is owed to the next link: the resume hook picked a new subject, or one failed offline. */
  private owed = false;
  private linkUp = true;
  private events: Subscription | undefined;
  private ended = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ResolvedJetStreamOptions,
    private readonly plan: Plan,
    private readonly subscriber: Subscriber<JsMsg>,
  ) {
    this.internals = internalsOf(nc);
    this.lastSeq = plan.startSeq - 1;
  }

  start(): void {
    this.events = this.nc.events$.subscribe((event) => {
      switch (event.type) {
        case 'Disconnected':
          this.linkUp = false;
          this.stopTimers();
          return;
        case 'Reconnected':
          this.linkUp = true;
          return;
        case 'Connected':
        case 'SubscriptionsRestored':
          // Sent now, a creation is buffered behind the link's restored subscriptions.
          this.linkUp = true;
          if (this.owed) {
            this.owed = false;
            this.create();
          }
          return;
        default:
          return;
      }
    });
    if (this.ended) return;
    this.linkUp = this.internals.conn.state === 'connected';
    this.newGeneration();
  }

  /** Unsubscribed, completed or errored: nothing of it is left on this side (the server's consumer goes with its interest). */
  stop(): void {
    this.ended = true;
    this.stopTimers();
    this.creating?.unsubscribe();
    this.events?.unsubscribe();
    this.generation?.subscription?.unsubscribe();
    this.generation = undefined;
  }

  /** A fresh subscription (new sid and subject), then the consumer for it. */
  private newGeneration(): void {
    this.generation?.subscription?.unsubscribe();
    const { conn, nextSid, channelKey } = this.internals;
    const sid = nextSid();
    const generation: Generation = { sid, subject: inbox(), subscription: undefined };
    this.generation = generation;
    this.consumerName = undefined;
    const subscription = conn
      .channel({
        key: channelKey(sid),
        // The resume hook: on a new link the old consumer may still push to the old subject
        // (its node lived on), so a fresh subject, and a consumer from lastSeq + 1 after the restore.
        subscribe: ({ restoring }) => {
          if (restoring && this.generation === generation) {
            generation.subject = inbox();
            this.consumerName = undefined;
            this.owed = true;
          }
          return { op: 'SUB', subject: generation.subject, sid };
        },
        unsubscribe: { op: 'UNSUB', sid },
      })
      .subscribe({
        next: (op) => this.onOp(generation, op),
        error: (error: unknown) => this.fail(error),
        complete: () => this.complete(),
      });
    if (this.generation === generation) generation.subscription = subscription;
    else subscription.unsubscribe();
    this.create();
  }

  /** Creates the consumer for the current generation's subject, from `lastSeq + 1`. */
  private create(): void {
    const generation = this.generation;
    if (this.ended || generation === undefined) return;
    this.stopTimers();
    this.creating?.unsubscribe();
    const attempt = ++this.attempt;
    const subject = generation.subject;
    this.expectedCseq = 1;
    this.consumerName = undefined;
    const { stream, filterSubject, idleHeartbeat } = this.plan;
    const config: ConsumerConfig = {
      deliver_subject: subject,
      deliver_policy: 'by_start_sequence',
      opt_start_seq: this.lastSeq + 1,
      ack_policy: 'none',
      max_deliver: 1,
      flow_control: true,
      idle_heartbeat: idleHeartbeat * NANOS_PER_MS,
      inactive_threshold: Math.max(5_000, 2 * idleHeartbeat) * NANOS_PER_MS,
      mem_storage: true,
      num_replicas: 1,
      replay_policy: 'instant',
      ...(filterSubject === undefined ? {} : { filter_subject: filterSubject }),
    };
    this.creating = apiRequest<ConsumerInfo>(this.nc, this.options, `CONSUMER.CREATE.${stream}`, {
      stream_name: stream,
      config,
    }).subscribe({
      next: (info) => {
        if (attempt !== this.attempt) return;
        this.failures = 0;
        this.everCreated = true;
        this.consumerName = info.name;
        this.arm();
      },
      error: (error: unknown) => {
        if (attempt !== this.attempt) return;
        this.creationFailed(error);
      },
    });
  }

  private creationFailed(error: unknown): void {
    const refused = error instanceof JetStreamApiError;
    const fatal =
      refused && (error.code === 400 || (!this.everCreated && error.errCode === JetStreamErrCode.StreamNotFound));
    if (fatal || ++this.failures >= this.plan.maxRecreateAttempts) {
      this.fail(error);
      return;
    }
    if (!this.linkUp) {
      this.owed = true; // the next link creates it
      return;
    }
    const delay = RETRY_DELAYS[Math.min(this.failures, RETRY_DELAYS.length) - 1];
    // A new subject: a creation that timed out may have made a consumer all the same.
    this.retryTimer = this.internals.scheduler.schedule(() => this.recreate(), delay);
  }

  /** The heartbeat watchdog: nothing for twice the heartbeat interval while the link is up → re-create. */
  private arm(): void {
    this.watchdog?.unsubscribe();
    if (!this.linkUp || this.ended) return;
    this.watchdog = this.internals.scheduler.schedule(() => this.recreate(), 2 * this.plan.idleHeartbeat);
  }

  /** Delivery broke on a live link: a new subscription and a consumer from `lastSeq + 1`; the old consumer is deleted (best effort). */
  private recreate(): void {
    if (this.ended) return;
    const old = this.consumerName;
    if (old !== undefined && this.linkUp) {
      apiRequest(this.nc, this.options, `CONSUMER.DELETE.${this.plan.stream}.${old}`, undefined).subscribe({ error: () => undefined });
    }
    this.newGeneration();
  }

  private onOp(generation: Generation, op: NatsServerOp): void {
    if (this.ended || generation !== this.generation || op.op !== 'MSG') return;
    if (op.status !== undefined) {
      this.onStatus(op);
      return;
    }
    const info = parseAckSubject(op.reply);
    if (info === undefined || info.consumerSequence !== this.expectedCseq) {
      // A gap (or a message of no consumer of ours): start again from the last one delivered.
      this.recreate();
      return;
    }
    this.expectedCseq++;
    this.arm();
    if (info.streamSequence <= this.lastSeq) return;
    this.lastSeq = info.streamSequence;
    const msg = toMsg(op, (subject, data, options) =>
      this.nc.publish(subject, data, options?.headers === undefined ? {} : { headers: options.headers }),
    );
    this.subscriber.next({ ...msg, info, seq: info.streamSequence });
  }

  /** A heartbeat (it says which consumer sequence came last), a flow-control request, or a status that ends this consumer. */
  private onStatus(op: NatsMsgOp): void {
    if (op.status !== STATUS_CONTROL) {
      this.recreate(); // 409 Consumer Deleted and the like
      return;
    }
    this.arm();
    if (op.reply !== undefined) {
      this.answer(op.reply); // flow control: answered at once
      return;
    }
    const stalled = op.headers?.['Nats-Consumer-Stalled']?.[0];
    if (stalled !== undefined) this.answer(stalled);
    const lastConsumerSeq = Number(op.headers?.['Nats-Last-Consumer']?.[0] ?? '0');
    if (lastConsumerSeq > this.expectedCseq - 1) this.recreate();
  }

  /**
   * An empty publish to a flow-control subject. One the client cannot send (a draining or
   * closing connection) is left unanswered: the consumer stalls, its heartbeats say so, and
   * the watchdog or the next link re-creates it.
   */
  private answer(subject: string): void {
    try {
      this.nc.publish(subject);
    } catch {
      // See above: nothing is lost, delivery resumes from the last sequence.
    }
  }

  private stopTimers(): void {
    this.watchdog?.unsubscribe();
    this.watchdog = undefined;
    this.retryTimer?.unsubscribe();
    this.retryTimer = undefined;
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.stop();
    this.subscriber.error(error);
  }

  private complete(): void {
    if (this.ended) return;
    this.stop();
    this.subscriber.complete();
  }
}

/** A fresh deliver subject. */
function inbox(): string {
  return `_INBOX.${nuid()}`;
}

/** The cold Observable of {@link JetStreamClient.orderedConsumer}. */
export function orderedConsumer$(nc: NatsConnection, options: ResolvedJetStreamOptions, stream: string, consumerOptions?: OrderedConsumerOptions): Observable<JsMsg> {
  return new Observable<JsMsg>((subscriber) => {
    let consumer: OrderedConsumer;
    try {
      consumer = new OrderedConsumer(nc, options, orderedPlan(stream, consumerOptions), subscriber);
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    consumer.start();
    return () => consumer.stop();
  });
}
