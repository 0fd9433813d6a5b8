import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subscription } from 'rxjs';
import type { JetStreamClient, JsMsg, PubAck } from '../../../../lib/nats';

/** The outcome of one acked publish. */
export interface PublishOutcome {
  /** When `publish()` was called (Date.now()). */
  readonly at: number;
  ack?: PubAck;
  /** When the PubAck arrived. */
  ackedAt?: number;
  error?: unknown;
}

/**
 * A publisher at a steady rate: message `i` is `"<i>"` with `Nats-Msg-Id` `"<tag>-<i>"`,
 * published on a 20 ms tick so that `rate` per second hold whatever the timer's jitter; at
 * most `max` messages. Records each PubAck or error.
 */
export class SteadyPublisher {
  readonly outcomes: PublishOutcome[] = [];
  /** Publishes `publish()` refused synchronously (a full buffer): none expected. */
  readonly refused: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: Subscription[] = [];
  private started = 0;
  private stopped = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly tag: string,
    private readonly rate: number,
    private readonly max: number,
    private readonly timeout: number,
  ) {}

  start(): void {
    this.started = Date.now();
    this.timer = setInterval(() => this.tick(), 20);
  }

  /** Stops publishing (outcomes keep arriving). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Publishes so far. */
  get published(): number {
    return this.outcomes.length + this.refused.length;
  }

  /** Publishes with an outcome (PubAck or error). */
  get settled(): number {
    return this.outcomes.filter((o) => o.ack !== undefined || o.error !== undefined).length;
  }

  /** Releases the outcome subscriptions (after close, they have all ended anyway). */
  dispose(): void {
    this.stop();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private tick(): void {
    const due = Math.min(this.max, Math.floor(((Date.now() - this.started) * this.rate) / 1000));
    while (!this.stopped && this.published < due) {
      const i = this.published;
      const outcome: PublishOutcome = { at: Date.now() };
      try {
        const ack$ = this.js.publish(this.subject, String(i), { msgId: `${this.tag}-${i}`, timeout: this.timeout });
        this.outcomes.push(outcome);
        this.subscriptions.push(
          ack$.subscribe({
            next: (ack) => {
              outcome.ack = ack;
              outcome.ackedAt = Date.now();
            },
            error: (error: unknown) => (outcome.error = error),
          }),
        );
      } catch (error) {
        this.refused.push(error);
      }
    }
    if (this.published >= this.max) this.stop();
  }
}

/** What one consumer delivered: stream sequences and payloads, in delivery order, stamped. */
export class ConsumerRecord {
  readonly seqs: number[] = [];
  readonly payloads: number[] = [];
  readonly at: number[] = [];
  error: unknown;
  private readonly subscription: Subscription;

  constructor(source: import('rxjs').Observable<JsMsg>) {
    this.subscription = source.subscribe({
      next: (m) => {
        this.seqs.push(m.seq);
        this.payloads.push(Number(m.string()));
        this.at.push(Date.now());
      },
      error: (error: unknown) => (this.error = error),
    });
  }

  get last(): number {
    return this.seqs.length === 0 ? 0 : this.seqs[this.seqs.length - 1];
  }

  /** Whether delivery went 1, 2, 3… with no gap and no repeat. */
  contiguous(): boolean {
    return this.seqs.every((seq, i) => seq === i + 1);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

/** .artifacts/nats-jetstream.json at the repository root (gitignored). */
export const JS_ARTIFACT_PATH = resolve(__dirname, '../../../..', '.artifacts', 'nats-jetstream.json');

/** Writes `report` under `scenario` into {@link JS_ARTIFACT_PATH}, keeping the other scenarios. */
export function recordJetStream(scenario: string, report: Record<string, unknown>): void {
  mkdirSync(join(JS_ARTIFACT_PATH, '..'), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(JS_ARTIFACT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    // First scenario, or a half-written file: start afresh.
  }
  all[scenario] = { ...report, at: new Date().toISOString() };
  const temp = `${JS_ARTIFACT_PATH}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(temp, JS_ARTIFACT_PATH);
}
