import type { Tick } from './protocol';
import type { Timeline } from './timeline';

/**
 * Summarises channel data so the timeline stays short: per channel, the first tick on each
 * link and then every `every`-th tick.
 */
export class TickLog {
  private readonly counts = new Map<string, number>();
  private readonly seenOnLink = new Set<string>();
  private readonly resumed = new Set<string>();
  private links = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly every = 5,
  ) {}

  /** A new link is up: the next tick of each channel is printed (and counted as resumed after the first link). */
  linkUp(): void {
    this.links++;
    this.seenOnLink.clear();
  }

  /** A tick delivered to `channel`. */
  tick(channel: string, tick: Tick): void {
    const count = (this.counts.get(channel) ?? 0) + 1;
    this.counts.set(channel, count);
    const firstOnLink = !this.seenOnLink.has(channel);
    this.seenOnLink.add(channel);
    if (firstOnLink && this.links > 1) this.resumed.add(channel);
    if (!firstOnLink && count % this.every !== 0) return;
    const note = firstOnLink ? (this.links > 1 ? 'data resumed, ' : 'first tick, ') : '';
    this.timeline.line('data', `${channel} seq=${tick.seq} (${note}${count} received)`, 'grey');
  }

  /** Ticks received on `channel` so far. */
  count(channel: string): number {
    return this.counts.get(channel) ?? 0;
  }

  /** True when `channel` received data on a link after the first one. */
  hasResumed(channel: string): boolean {
    return this.resumed.has(channel);
  }
}
