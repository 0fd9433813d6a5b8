import { now } from './clock';
import { countingWebSocket, type Client, type Contender } from './contenders';
import { openFleet } from './fleet';
import { drain } from './idle-heap';
import { settledHeap, within } from './measure';
import type { BenchServer } from './server';

/** Width of a histogram bin, ms. */
export const BIN_MS = 100;

export interface StormResult {
  /** Connection attempts made by all clients from the server going down until every client was back. */
  readonly attempts: number;
  /** Attempts per {@link BIN_MS} ms bin, the first bin starting when the server went down. */
  readonly bins: readonly number[];
  /** The busiest bin's share of all attempts, in [0, 1]. */
  readonly peakShare: number;
  /** The busiest 100 ms window (sliding, not aligned to the bins): its share of all attempts. */
  readonly slidingPeakShare: number;
  /**
   * Server side: TCP connections accepted after the server listened again, and the busiest
   * 100 ms bin's share of them (bins aligned on the moment it listened again).
   */
  readonly accepts: number;
  readonly acceptPeakShare: number;
  /** Accepts per {@link BIN_MS} ms bin, the first bin starting when the server listened again. */
  readonly acceptBins: readonly number[];
  /** Ms from the server listening again until the last client received its first message on a new link. */
  readonly allBackMs: number;
  /** Ms from the server listening again until half of the clients were back. */
  readonly halfBackMs: number;
  /** Settled heap growth per open client before the outage, bytes. */
  readonly heapPerClient: number;
}

/**
 * (4) Storm: `n` clients connected; the server stops listening and drops them all for
 * `downMs`, then listens again on the same port. Every connection attempt is counted on the
 * client side, by a wrapper around the WebSocket constructor the contender is given (so
 * attempts refused while the server is down count too), with its time.
 */
export async function storm(
  server: BenchServer,
  contender: Contender,
  n: number,
  downMs: number,
  delay: number,
  options: { batch?: number; timeoutMs?: number } = {},
): Promise<StormResult> {
  let recording = false;
  const attemptTimes: number[] = [];
  const WebSocket = countingWebSocket(() => {
    if (recording) attemptTimes.push(now());
  });
  const backAt = new Float64Array(n);
  let stormOn = false;
  let remaining = n;
  let allBack!: () => void;
  const everyoneBack = new Promise<void>((resolve) => (allBack = resolve));
  const heapBefore = settledHeap();
  let clients: Client[] = [];
  try {
    clients = await openFleet(contender, n, {
      url: server.url,
      delay,
      WebSocket,
      batch: options.batch ?? 500,
      timeoutMs: 20_000 + n * 5,
      onHello: (index, _, at) => {
        if (!stormOn || backAt[index] !== 0) return;
        backAt[index] = at;
        if (--remaining === 0) allBack();
      },
    });
    const heapPerClient = (settledHeap() - heapBefore) / n;
    recording = true;
    stormOn = true;
    const { down, up, dropped } = await server.outage(downMs);
    if (dropped !== n) throw new Error(`${contender.name} storm: ${dropped} clients dropped, ${n} expected`);
    await within(everyoneBack, options.timeoutMs ?? 30_000, `${contender.name} storm: all ${n} clients back`);
    recording = false;
    const acceptTimes = await server.accepts();
    const acceptBins = histogram(acceptTimes, up);
    const bins = histogram(attemptTimes, down);
    const sorted = [...attemptTimes].sort((a, b) => a - b);
    let sliding = 0;
    for (let first = 0, last = 0; last < sorted.length; last++) {
      while (sorted[last] - sorted[first] >= BIN_MS) first++;
      sliding = Math.max(sliding, last - first + 1);
    }
    const backTimes = [...backAt].sort((a, b) => a - b);
    return {
      attempts: attemptTimes.length,
      accepts: acceptTimes.length,
      acceptBins,
      acceptPeakShare: Math.max(0, ...acceptBins) / Math.max(1, acceptTimes.length),
      bins,
      peakShare: Math.max(...bins) / attemptTimes.length,
      slidingPeakShare: sliding / attemptTimes.length,
      allBackMs: backTimes[n - 1] - up,
      halfBackMs: backTimes[Math.floor((n - 1) / 2)] - up,
      heapPerClient,
    };
  } finally {
    recording = false;
    for (const client of clients) client.close();
    await drain(server);
  }
}

/** Counts of `times` per {@link BIN_MS} ms bin, the first bin starting at `from`. */
function histogram(times: readonly number[], from: number): number[] {
  const bins: number[] = [];
  for (const at of times) {
    const bin = Math.max(0, Math.floor((at - from) / BIN_MS));
    while (bins.length <= bin) bins.push(0);
    bins[bin]++;
  }
  return bins;
}
