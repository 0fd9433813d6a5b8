import type { PageNote } from './web-protocol';

/** What {@link DriveWatch.done} resolves with. */
export interface DriveSummary {
  /** The orders the page buffered (sent while offline), in the order it sent them. */
  readonly bufferedOrders: readonly number[];
  /** The server-side client (link) each of them arrived on. */
  readonly deliveredOn: ReadonlyMap<number, number>;
}

/**
 * Decides when the page "has been driven" (`--web --once`, and the browser test): the server
 * was killed and restarted, the page buffered at least one order while offline, then saw
 * `SubscriptionsRestored`, and every order it buffered reached the server on a link made after
 * the restart. Fed by the demo's server hooks and the page's notes.
 */
export class DriveWatch {
  /** Resolves once the page has been driven; never rejects (the caller bounds the wait). */
  readonly done: Promise<DriveSummary>;
  private resolve!: (summary: DriveSummary) => void;
  private restarts = 0;
  /** The first client id the server gave out after the latest restart. */
  private firstClientAfterRestart = Infinity;
  private readonly buffered: number[] = [];
  private restoredAfterBuffering = false;
  private readonly deliveredOn = new Map<number, number>();
  private finished = false;

  constructor() {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  /** The ws server came back; `nextClient` is the id its next connection will get. */
  restarted(nextClient: number): void {
    this.restarts++;
    this.firstClientAfterRestart = nextClient;
    this.check();
  }

  /** The server received order `id` from client `client`. */
  order(id: number, client: number): void {
    if (client >= this.firstClientAfterRestart) this.deliveredOn.set(id, client);
    this.check();
  }

  /** A note from the page. */
  page(note: PageNote): void {
    if (note.kind === 'order' && note.buffered) {
      this.buffered.push(note.id);
      this.restoredAfterBuffering = false;
    }
    if (note.kind === 'event' && note.type === 'SubscriptionsRestored' && this.buffered.length > 0) {
      this.restoredAfterBuffering = true;
    }
    this.check();
  }

  private check(): void {
    if (this.finished || this.restarts === 0 || !this.restoredAfterBuffering) return;
    if (!this.buffered.every((id) => this.deliveredOn.has(id))) return;
    this.finished = true;
    this.resolve({ bufferedOrders: [...this.buffered], deliveredOn: new Map(this.deliveredOn) });
  }
}
