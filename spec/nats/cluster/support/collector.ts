import { filter, firstValueFrom, ReplaySubject, throwError, timeout, type Observable, type Subscription } from 'rxjs';

/** What a collector needs of a message: a NatsMsg has it. */
export interface TextMessage {
  readonly subject: string;
  string(): string;
}

/**
 * Records the payloads (as text) a subscription delivers, how it ended, and awaits payloads past
 * or future.
 */
export class Collector {
  readonly payloads: string[] = [];
  error: unknown;
  completed = false;
  private readonly replay = new ReplaySubject<string>();
  private readonly subscription: Subscription;

  constructor(source: Observable<TextMessage>) {
    this.subscription = source.subscribe({
      next: (msg) => {
        const text = msg.string();
        this.payloads.push(text);
        this.replay.next(text);
      },
      error: (error: unknown) => {
        this.error = error;
        this.replay.complete();
      },
      complete: () => {
        this.completed = true;
        this.replay.complete();
      },
    });
  }

  /** The first payload (recorded or to come) that passes `where`; fails after `ms`. */
  waitFor(where: (payload: string) => boolean, what: string, ms = 5_000): Promise<string> {
    return firstValueFrom(
      this.replay.pipe(
        filter(where),
        timeout({
          first: ms,
          with: () => throwError(() => new Error(`no ${what} within ${ms} ms (got ${this.payloads.length}: ${this.payloads.slice(-3).join(', ')})`)),
        }),
      ),
    );
  }

  /** Unsubscribes (which, for a NATS subscription, sends its UNSUB). */
  stop(): void {
    this.subscription.unsubscribe();
    this.replay.complete();
  }
}
