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
   * errors with the last failure. While no consumer has answered, a new attempt starts every
   * second (at most 5 pending at once: during a failover the API is silent until the cluster
   * has elected its leaders, and the first consumer to answer is kept); after an error answer
   * the next one follows 100 ms, 250 ms, 500 ms, then 1 s later. Attempts are only made while
   * a link is up.
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
/** Delays after a failed creation when no other attempt is under way, ms (the last one repeats). */
const RETRY_DELAYS = [100, 250, 500, 1_000];
/** Ms after which another creation starts while none has answered (the API is silent during elections). */
export const ATTEMPT_CADENCE = 1_000;
/** Creations pending at once at most. */
export const MAX_PENDING_ATTEMPTS = 5;
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
 * One server subscription of an ordered consumer and the consumer made for it: a sid whose
 * subject changes on every new link (the channel's resume hook picks a fresh inbox), so nothing
 * of a consumer made for an earlier link or subject is ever delivered.
 */
interface Generation {
  readonly sid: number;
  /** The deliver subject of the consumer being made or used. */
  subject: string;
  subscription: Subscription | undefined;
  /** The creation request in flight. */
  request: Subscription | undefined;
  /** The consumer's name, once its creation has answered. */
  consumerName: string | undefined;
  /** The consumer sequence the next message must carry. */
  expectedCseq: number;
  /** Dropped while its creation was pending: a late answer deletes the consumer it made. */
  orphaned: boolean;
}

/**
 * An ordered push consumer (what nats.js calls an ordered consumer): an ephemeral, in-memory,
 * R1 consumer without acks, with flow control and idle heartbeats, that this client re-creates
 * from the last stream sequence it delivered whenever delivery may have broken: a new link (the
 * channel's resume hook), a consumer-sequence gap, a heartbeat saying a message was missed,
 * heartbeats that stop, or a status from the server. The application sees each stream message
 * once, in stream order.
 *
 * A creation that gets no answer (during a failover the API is silent until the cluster has
 * elected its leaders) does not hold up the next one: every {@link ATTEMPT_CADENCE} ms another
 * attempt starts on a fresh subject, at most {@link MAX_PENDING_ATTEMPTS} at once; the first
 * consumer to answer (or to deliver) is kept and the others are dropped.
 */
export class OrderedConsumer {
  private readonly internals: NatsInternals;
  /** The last stream sequence delivered to the application. */
  private lastSeq: number;
  /** Every generation subscribed: the live one, and those whose creation is pending. */
  private readonly generations = new Set<Generation>();
  /** Dropped generations whose creation may still answer (then their consumer is deleted). */
  private readonly orphans = new Set<Generation>();
  /** The generation whose consumer delivers (its creation answered, or it delivered first). */
  private live: Generation | undefined;
  /** The live generation the resume hook gave a new subject: its consumer is re-created after the restore. */
  private restored: Generation | undefined;
  /** Starts another attempt while none has answered (see {@link ATTEMPT_CADENCE}). */
  private cadence: Subscription | undefined;
  /** Starts an attempt after a failed one. */
  private retryTimer: Subscription | undefined;
  private watchdog: Subscription | undefined;
  /** Attempts since the last consumer was kept: picks the retry delay. */
  private round = 0;
  private failures = 0;
  /** A consumer was created once: "stream not found" is from then on a failover's passing answer. */
  private everCreated = false;
  /** A fresh start is owed to the next link (attempts failed or were dropped offline). */
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
          this.linkLost();
          return;
        case 'Reconnected':
          this.linkUp = true;
          return;
        case 'Connected':
        case 'SubscriptionsRestored':
          this.linkRestored();
          return;
        default:
          return;
      }
    });
    if (this.ended) return;
    this.linkUp = this.internals.conn.state === 'connected';
    this.begin();
  }

  /**
   * Unsubscribed, completed or errored: its consumer is deleted, and so is any consumer a creation
   * still pending makes when it answers (best effort, while a link is up; the server also deletes
   * a consumer nobody reads after its `inactive_threshold`). Nothing else of it is left.
   */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    this.events?.unsubscribe();
    // A creation still pending becomes an orphan: its answer, if it comes (within the API
    // timeout), deletes the consumer it made. Cancelling it here would leave that consumer on
    // the server until its inactive_threshold.
    for (const generation of [...this.generations]) this.drop(generation, true);
    this.live = undefined;
    this.restored = undefined;
  }

  /** Everything afresh: every generation dropped (consumers deleted, best effort), one new attempt. */
  private begin(): void {
    if (this.ended) return;
    this.stopTimers();
    for (const generation of [...this.generations]) this.drop(generation, true);
    this.live = undefined;
    this.restored = undefined;
    this.round = 0;
    this.attempt(this.newGeneration());
  }

  private linkLost(): void {
    this.linkUp = false;
    this.stopTimers();
    // Attempts in flight are abandoned; the live consumer is resumed by its channel's hook.
    for (const generation of [...this.generations]) if (generation !== this.live) this.drop(generation, false);
    if (this.live === undefined) this.owed = true;
  }

  /** A link is ready for requests (`Connected`, or `SubscriptionsRestored` after the resume hook ran). */
  private linkRestored(): void {
    this.linkUp = true;
    if (this.ended) return;
    const restored = this.restored;
    if (restored !== undefined && this.generations.has(restored)) {
      // Sent now, the creation is buffered behind the link's restored subscriptions.
      this.restored = undefined;
      this.owed = false;
      this.live = undefined;
      this.round = 0;
      restored.consumerName = undefined;
      this.attempt(restored);
    } else if (this.owed) {
      this.owed = false;
      this.begin();
    } else this.armCadence();
  }

  /** A fresh subscription: a new sid and subject. */
  private newGeneration(): Generation {
    const { conn, nextSid, channelKey } = this.internals;
    const sid = nextSid();
    const generation: Generation = { sid, subject: inbox(), subscription: undefined, request: undefined, consumerName: undefined, expectedCseq: 1, orphaned: false };
    this.generations.add(generation);
    const subscription = conn
      .channel({
        key: channelKey(sid),
        // The resume hook: on a new link the old consumer may still push to the old subject
        // (its node lived on), so a fresh subject, and a consumer from lastSeq + 1 after the restore.
        subscribe: ({ restoring }) => {
          if (restoring && this.generations.has(generation)) {
            generation.subject = inbox();
            this.restored = generation;
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
    if (this.generations.has(generation)) generation.subscription = subscription;
    else subscription.unsubscribe();
    return generation;
  }

  /** Unsubscribes a generation and cancels its creation; with `deleteConsumer`, deletes its consumer (best effort). */
  private drop(generation: Generation, deleteConsumer: boolean): void {
    this.generations.delete(generation);
    generation.subscription?.unsubscribe();
    if (this.live === generation) this.live = undefined;
    const name = generation.consumerName;
    if (deleteConsumer && name === undefined && generation.request !== undefined && !generation.request.closed) {
      generation.orphaned = true; // its creation may still answer
      this.orphans.add(generation);
    } else generation.request?.unsubscribe();
    if (deleteConsumer && name !== undefined) this.deleteConsumer(name);
  }

  /** Deletes a consumer this client made and no longer reads (best effort: one nobody reads is also deleted by the server after `inactive_threshold`). */
  private deleteConsumer(name: string): void {
    if (!this.linkUp) return;
    apiRequest(this.nc, this.options, `CONSUMER.DELETE.${this.plan.stream}.${name}`, undefined).subscribe({ error: () => undefined });
  }

  /** Creates a consumer for `generation`'s subject, from `lastSeq + 1`. */
  private attempt(generation: Generation): void {
    if (this.ended) return;
    this.round++;
    generation.expectedCseq = 1;
    const { stream, filterSubject, idleHeartbeat } = this.plan;
    const config: ConsumerConfig = {
      deliver_subject: generation.subject,
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
    const subject = generation.subject;
    generation.request?.unsubscribe();
    generation.request = apiRequest<ConsumerInfo>(this.nc, this.options, `CONSUMER.CREATE.${stream}`, {
      stream_name: stream,
      config,
    }).subscribe({
      next: (info) => {
        if (generation.orphaned) {
          this.orphans.delete(generation);
          this.deleteConsumer(info.name);
          return;
        }
        if (!this.generations.has(generation) || generation.subject !== subject) return;
        generation.consumerName = info.name;
        if (this.live === undefined) this.adopt(generation);
        else if (this.live !== generation) this.drop(generation, true); // another one answered first
      },
      error: (error: unknown) => {
        this.orphans.delete(generation);
        if (!this.generations.has(generation) || generation.subject !== subject) return;
        this.drop(generation, false);
        this.creationFailed(error);
      },
    });
    this.armCadence();
  }

  /** While no consumer delivers and a link is up: another attempt after {@link ATTEMPT_CADENCE} ms. */
  private armCadence(): void {
    if (this.cadence !== undefined || this.live !== undefined || !this.linkUp || this.ended || this.generations.size === 0) return;
    this.cadence = this.internals.scheduler.schedule(() => {
      this.cadence = undefined;
      if (this.live !== undefined || !this.linkUp || this.ended) return;
      if (this.generations.size < MAX_PENDING_ATTEMPTS) this.attempt(this.newGeneration());
      else this.armCadence();
    }, ATTEMPT_CADENCE);
  }

  /** `generation`'s consumer answered (or delivered) first: it is the one read; the other attempts are dropped. */
  private adopt(generation: Generation): void {
    this.live = generation;
    this.failures = 0;
    this.round = 0;
    this.everCreated = true;
    this.cadence?.unsubscribe();
    this.cadence = undefined;
    this.retryTimer?.unsubscribe();
    this.retryTimer = undefined;
    for (const other of [...this.generations]) if (other !== generation) this.drop(other, true);
    this.arm();
  }

  private creationFailed(error: unknown): void {
    const refused = error instanceof JetStreamApiError;
    const fatal =
      refused && (error.code === 400 || (!this.everCreated && error.errCode === JetStreamErrCode.StreamNotFound));
    if (fatal || ++this.failures >= this.plan.maxRecreateAttempts) {
      this.fail(error);
      return;
    }
    if (this.live !== undefined || this.generations.size > 0) return; // another attempt is under way
    if (!this.linkUp) {
      this.owed = true; // the next link starts afresh
      return;
    }
    this.cadence?.unsubscribe();
    this.cadence = undefined;
    this.retryTimer?.unsubscribe();
    const delay = RETRY_DELAYS[Math.min(this.round, RETRY_DELAYS.length) - 1];
    this.retryTimer = this.internals.scheduler.schedule(() => {
      this.retryTimer = undefined;
      if (this.live === undefined && this.linkUp) this.attempt(this.newGeneration());
    }, delay);
  }

  /** The heartbeat watchdog: nothing for twice the heartbeat interval while the link is up → start afresh. */
  private arm(): void {
    this.watchdog?.unsubscribe();
    if (!this.linkUp || this.ended) return;
    this.watchdog = this.internals.scheduler.schedule(() => this.begin(), 2 * this.plan.idleHeartbeat);
  }

  private onOp(generation: Generation, op: NatsServerOp): void {
    if (this.ended || !this.generations.has(generation) || op.op !== 'MSG') return;
    if (this.live !== generation) {
      if (this.live !== undefined || this.restored === generation) return;
      this.adopt(generation); // it delivers before its creation's answer came: it exists
    }
    if (op.status !== undefined) {
      this.onStatus(generation, op);
      return;
    }
    const info = parseAckSubject(op.reply);
    if (info === undefined || info.consumerSequence !== generation.expectedCseq) {
      // A gap (or a message of no consumer of ours): start again from the last one delivered.
      this.begin();
      return;
    }
    generation.expectedCseq++;
    this.arm();
    if (info.streamSequence <= this.lastSeq) return;
    this.lastSeq = info.streamSequence;
    const msg = toMsg(op, (subject, data, options) =>
      this.nc.publish(subject, data, options?.headers === undefined ? {} : { headers: options.headers }),
    );
    this.subscriber.next({ ...msg, info, seq: info.streamSequence });
  }

  /** A heartbeat (it says which consumer sequence came last), a flow-control request, or a status that ends this consumer. */
  private onStatus(generation: Generation, op: NatsMsgOp): void {
    if (op.status !== STATUS_CONTROL) {
      this.begin(); // 409 Consumer Deleted and the like
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
    if (lastConsumerSeq > generation.expectedCseq - 1) this.begin();
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
    this.cadence?.unsubscribe();
    this.cadence = undefined;
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
