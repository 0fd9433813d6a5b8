import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection: `global.gc` when node runs with `--expose-gc`, otherwise the
 * same function obtained by turning the flag on at run time.
 */
export const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** True when `--expose-gc` was given on the command line. */
export const gcExposedByFlag = process.execArgv.includes('--expose-gc');

/** Heap used by this thread's isolate, after a full collection. */
export function settledHeap(): number {
  gc();
  gc();
  return heapUsed();
}

/** Heap used by this thread's isolate now (no syscall, unlike `process.memoryUsage()`). */
export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** What a run cost in memory. */
export interface MemoryCost {
  /** Peak heap growth over the settled heap at the start, in bytes. */
  readonly heapPeak: number;
  /** Young-generation collections during the run: proportional to the bytes allocated. */
  readonly minorGcs: number;
  /** Full (mark-sweep) collections during the run. */
  readonly majorGcs: number;
  /** Total GC pause, ms. */
  readonly gcMs: number;
}

/**
 * Watches memory while a run lasts: the heap sampled every 10 ms (whenever the event loop
 * lets the sampler run) and at the end, and every collection the run caused.
 */
export class MemoryProbe {
  private readonly baseline = settledHeap();
  private readonly startedAt = performance.now();
  private peak = this.baseline;
  private readonly sampler = setInterval(() => this.sample(), 10);
  private readonly gcs: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => this.gcs.push(...list.getEntries()));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops watching; returns what the run cost. */
  stop(): MemoryCost {
    this.sample();
    clearInterval(this.sampler);
    this.gcs.push(...this.observer.takeRecords());
    this.observer.disconnect();
    // Only the run's own collections (entries of the settling ones may arrive late).
    const gcs = this.gcs.filter((entry) => entry.startTime >= this.startedAt);
    const kind = (entry: PerformanceEntry): number => (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
    return {
      heapPeak: this.peak - this.baseline,
      minorGcs: gcs.filter((entry) => kind(entry) === constants.NODE_PERFORMANCE_GC_MINOR).length,
      majorGcs: gcs.filter((entry) => kind(entry) === constants.NODE_PERFORMANCE_GC_MAJOR).length,
      gcMs: gcs.reduce((sum, entry) => sum + entry.duration, 0),
    };
  }

  private sample(): void {
    const used = heapUsed();
    if (used > this.peak) this.peak = used;
  }
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rejects when `promise` has not settled within `ms` (nothing in the bench may hang). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
