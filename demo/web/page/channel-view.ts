import type { Tick } from '../../protocol';
import { element } from './dom';

/** Bars kept in a channel's strip. */
const STRIP_BARS = 60;
/** A channel that has heard nothing for this long is shown as stale. */
const STALE_MS = 1_000;

/**
 * One channel's card: the last `seq`, how many ticks arrived, how long ago the last one did,
 * and a strip with a bar per tick and a hatched gap where the link was lost. `data-seq` holds
 * the last seq, `data-received` the ticks received, and `data-resumed` turns true when data
 * flows again on a later link.
 */
export class ChannelView {
  private readonly root = element('div', 'channel');
  private readonly seq = element('b', 'seq-value', '–');
  private readonly count = element('span', 'count', '0');
  private readonly ago = element('span', 'ago', 'no data yet');
  private readonly strip = element('div', 'strip');
  private received = 0;
  private lastAt: number | undefined;
  private links = 0;
  private heardOnLink = false;

  constructor(topic: string, container: HTMLElement) {
    this.root.dataset.topic = topic;
    this.root.dataset.seq = '0';
    this.root.dataset.received = '0';
    this.root.dataset.resumed = 'false';
    const seqLine = element('div', 'seq');
    seqLine.append(element('small', undefined, 'seq'), this.seq);
    const meta = element('div', 'meta');
    meta.append(this.count, ' ticks · ', this.ago, ' ', element('span', 'resumed', '· data resumed'));
    this.root.append(element('h3', undefined, topic), seqLine, meta, this.strip);
    container.append(this.root);
  }

  /** A link is up (first or later): the next tick on it may be a resumption. */
  linkUp(): void {
    this.links++;
    this.heardOnLink = false;
  }

  /** The link is gone: a gap in the strip. */
  linkLost(): void {
    if (this.strip.lastElementChild?.classList.contains('gap')) return;
    this.bar('gap');
  }

  /** A tick delivered by the channel. */
  tick(tick: Tick): void {
    this.received++;
    this.lastAt = performance.now();
    this.seq.textContent = String(tick.seq);
    this.root.dataset.seq = String(tick.seq);
    this.count.textContent = String(this.received);
    this.root.dataset.received = String(this.received);
    if (!this.heardOnLink && this.links > 1) this.root.dataset.resumed = 'true';
    this.heardOnLink = true;
    const bar = this.bar('fresh');
    // A made-up "price" so the strip reads like a chart; the seq is the real datum.
    bar.style.setProperty('--h', `${30 + ((tick.seq * 37) % 70)}%`);
    setTimeout(() => bar.classList.remove('fresh'), 300);
    this.refresh();
  }

  /** Updates "last tick … ago" (called on a timer). */
  refresh(now = performance.now()): void {
    if (this.lastAt === undefined) return;
    const age = now - this.lastAt;
    this.ago.textContent = `last ${age < 1_000 ? `${Math.round(age)} ms` : `${(age / 1000).toFixed(1)} s`} ago`;
    this.root.classList.toggle('stale', age > STALE_MS);
  }

  private bar(className: string): HTMLElement {
    const bar = element('i', className);
    this.strip.append(bar);
    while (this.strip.children.length > STRIP_BARS) this.strip.firstElementChild?.remove();
    return bar;
  }
}
