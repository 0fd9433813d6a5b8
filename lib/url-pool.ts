import type { UrlContext } from './options';
import type { ResolvedUrl } from './options/websocket-url';

/**
 * Chooses the server for each attempt: a pool that moves to the next server after a failed
 * attempt and stays on one that works (a single URL is a pool of one), or a factory called
 * every time.
 *
 * @internal
 */
export class UrlPool {
  private index = 0;

  constructor(private readonly url: ResolvedUrl) {}

  /** The URL (or a promise of it) for the attempt about to start. */
  pick(context: UrlContext): string | Promise<string> {
    if (typeof this.url === 'function') return this.url(context);
    return this.url[this.index] as string; // rotate() keeps the index in range
  }

  /** The last attempt failed to open: a pool moves on to its next server. */
  rotate(): void {
    if (Array.isArray(this.url)) this.index = (this.index + 1) % this.url.length;
  }
}
