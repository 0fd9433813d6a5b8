import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { ConnectionClosedError } from '../index';
import { NatsNoRespondersError } from './errors/nats-no-responders-error';
import { NatsTimeoutError } from './errors/nats-timeout-error';
import type { NatsMsg } from './msg';
import { nuid } from './nuid';
import type { NatsHeadersInit } from './headers';
import type { NatsMsgOp } from './ops';

/** Status of the `HMSG` the server sends to a request nobody answers. */
const NO_RESPONDERS = 503;

/** @internal */
interface PendingRequest {
  readonly subject: string;
  readonly subscriber: Subscriber<NatsMsg>;
}

/** @internal What the inbox needs from the client. */
export interface RequestInboxHost {
  readonly scheduler: SchedulerLike;
  /** A subscription (SUB/UNSUB, restored on every link) delivering raw message operations. */
  subscribe(subject: string): Observable<NatsMsgOp>;
  /** PUB with a reply subject; throws what `publish()` throws. */
  publish(subject: string, data: string | Uint8Array | undefined, reply: string, headers: NatsHeadersInit | undefined): void;
  /** The application's view of a reply. */
  message(op: NatsMsgOp): NatsMsg;
}

/**
 * Request/reply over one shared inbox: a single subscription to `_INBOX.<nuid>.*` (made at the
 * first request, kept while the connection lives) serves every request, each with its own
 * reply subject `_INBOX.<nuid>.<n>`; replies are matched by that last token in O(1).
 *
 * @internal
 */
export class RequestInbox {
  private readonly prefix = `_INBOX.${nuid()}.`;
  private readonly pending = new Map<string, PendingRequest>();
  private next = 0;
  private inbox: Subscription | undefined;

  constructor(private readonly host: RequestInboxHost) {}

  /** One request: cold, one reply then complete (see `NatsConnection.request`). */
  request(
    subject: string,
    data: string | Uint8Array | undefined,
    timeout: number,
    headers?: NatsHeadersInit,
  ): Observable<NatsMsg> {
    return new Observable<NatsMsg>((subscriber) => {
      this.open();
      const token = String(this.next++);
      this.pending.set(token, { subject, subscriber });
      const timer = this.host.scheduler.schedule(() => {
        this.pending.delete(token);
        subscriber.error(new NatsTimeoutError(subject, timeout));
      }, timeout);
      try {
        this.host.publish(subject, data, this.prefix + token, headers);
      } catch (error) {
        subscriber.error(error);
      }
      return () => {
        this.pending.delete(token);
        timer.unsubscribe();
      };
    });
  }

  private open(): void {
    if (this.inbox && !this.inbox.closed) return;
    this.inbox = this.host.subscribe(`${this.prefix}*`).subscribe({
      next: (op) => this.reply(op),
      error: (error: unknown) => this.fail(error),
      complete: () => this.fail(new ConnectionClosedError('manual')),
    });
  }

  private reply(op: NatsMsgOp): void {
    const token = op.subject.startsWith(this.prefix) ? op.subject.slice(this.prefix.length) : undefined;
    const request = token === undefined ? undefined : this.pending.get(token);
    if (!request || token === undefined) return; // a late reply: its request timed out or was cancelled
    this.pending.delete(token);
    if (op.status === NO_RESPONDERS && op.data.length === 0) {
      request.subscriber.error(new NatsNoRespondersError(request.subject));
      return;
    }
    request.subscriber.next(this.host.message(op));
    request.subscriber.complete();
  }

  /** The inbox subscription ended (the connection closed): every pending request errors. */
  private fail(error: unknown): void {
    this.inbox = undefined;
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) request.subscriber.error(error);
  }
}
