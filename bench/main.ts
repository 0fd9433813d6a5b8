/**
 * `npm run bench`: rx-reconnect against a raw `ws` client, in the same run, against a `ws`
 * server on 127.0.0.1 (port 0) running in a worker thread.
 *
 *   (a) inbound   the server sends N small JSON messages as fast as backpressure allows
 *   (b) outbound  the client sends N small JSON messages; until the server has them all
 *   (c) reconnect drop/reconnect cycles; settled heap before and after
 *   (d) dispatch  1000 channels: `route` vs `match` only
 *
 * (a), (b) and (d) run 3 times each, alternating, and report the median. Everything is
 * bounded in count and time: N is 200 000 (50 000 for (d)) unless the warm-up rates say the
 * runs would not fit the scenario's time budget, then it is reduced (and the output says so);
 * a safety timer exits 1 after 60 s.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dispatch, type Dispatch } from './dispatch';
import { inbound, libReceiver, rawReceiver, type Receiver, type RunResult } from './inbound';
import { gcExposedByFlag, median } from './measure';
import { libSender, outbound, rawSender, type Sender } from './outbound';
import { libFlapper, rawFlapper, reconnectCycles, type CycleResult } from './reconnect';
import { BenchServer } from './server';
import { count, mb, ratio, signedBytes, table } from './table';

const N = 200_000;
const WARMUP_N = 10_000;
const REPEATS = 3;
const CYCLES = 200;
const WARMUP_CYCLES = 50;
const CHANNELS = 1_000;
const DISPATCH_N = 50_000;
const SAFETY_MS = 60_000;
/** Time allowed for all the runs of a scenario; on a slow machine its message count is reduced to fit. */
const BUDGET_MS = { inbound: 12_000, outbound: 20_000, dispatch: 6_000 };
/** After this, remaining repeats are skipped (a last resort, so the run always ends within 60 s). */
const SOFT_BUDGET_MS = 48_000;
const began = performance.now();

const safety = setTimeout(() => {
  process.stderr.write(`bench: still running after ${SAFETY_MS / 1000} s, giving up\n`);
  process.exit(1);
}, SAFETY_MS);
safety.unref();

const log = (text: string): void => void process.stdout.write(`${text}\n`);

/** Runs `run` for each subject in turn, `REPEATS` rounds, printing each result. */
async function alternate<S extends { name: string }>(
  label: string,
  subjects: readonly S[],
  run: (subject: S) => Promise<RunResult>,
): Promise<RunResult[][]> {
  const results: RunResult[][] = subjects.map(() => []);
  for (let round = 1; round <= REPEATS; round++) {
    if (round > 1 && performance.now() - began > SOFT_BUDGET_MS) {
      log(`  ${label} time budget spent: median of ${round - 1} run(s)`);
      break;
    }
    for (const [index, subject] of subjects.entries()) {
      const result = await run(subject);
      results[index].push(result);
      log(
        `  ${label} run ${round}/${REPEATS}  ${subject.name.padEnd(14)} ${count(result.perSecond).padStart(9)} msgs/s` +
          `  ${count(result.ms).padStart(5)} ms  peak heap +${mb(result.heapPeak)} MB` +
          `  GCs ${result.minorGcs} minor / ${result.majorGcs} major (${result.gcMs.toFixed(0)} ms)`,
      );
    }
  }
  return results;
}

/**
 * Two rounds of small runs per subject: `n` messages (JIT warm-up), then `2n` whose results
 * are returned (to size the measured runs).
 */
async function warmUp<S>(subjects: readonly S[], n: number, run: (subject: S, n: number) => Promise<RunResult>): Promise<RunResult[]> {
  for (const subject of subjects) await run(subject, n);
  const results: RunResult[] = [];
  for (const subject of subjects) results.push(await run(subject, 2 * n));
  return results;
}

/**
 * `n`, or less when the warm-up rates say `runs` runs of `n` would not fit in `budgetMs`
 * (rounded down to 10 000, and said so).
 */
function fit(label: string, n: number, warmups: readonly RunResult[], runs: number, budgetMs: number): number {
  const rate = Math.min(...warmups.map((run) => run.perSecond));
  const fits = Math.floor((rate * budgetMs) / 1000 / runs / 10_000) * 10_000;
  if (fits >= n) return n;
  const reduced = Math.max(10_000, fits);
  log(`  ${label}: ${count(reduced)} messages instead of ${count(n)}, to fit ${runs} runs in ${budgetMs / 1000} s (warm-up: ${count(rate)} msgs/s)`);
  return reduced;
}

const medianRate = (runs: readonly RunResult[]): number => median(runs.map((run) => run.perSecond));
const medianHeap = (runs: readonly RunResult[]): number => median(runs.map((run) => run.heapPeak));
const medianGcs = (runs: readonly RunResult[]): number => median(runs.map((run) => run.minorGcs));

async function main(): Promise<void> {
  log(
    `rx-reconnect bench: node ${process.version}, ${cpus().length} CPUs; ws server in a worker thread; ` +
      `gc ${gcExposedByFlag ? 'via --expose-gc' : 'exposed at run time (v8 flag)'}`,
  );
  const server = await BenchServer.start();
  log(`server ${server.url}`);

  log('warm-up (not reported; its second round sizes the runs)');
  const receivers = [rawReceiver, libReceiver];
  const senders = [rawSender, libSender];
  const aWarm = await warmUp(receivers, WARMUP_N, (r, n) => inbound(server, r, n));
  const bWarm = await warmUp(senders, WARMUP_N, (s, n) => outbound(server, s, n));

  const aN = fit('(a)', N, aWarm, REPEATS * 2, BUDGET_MS.inbound);
  log(`(a) inbound: server -> client, ${count(aN)} messages`);
  const [aRaw, aLib] = await alternate<Receiver>('(a)', receivers, (r) => inbound(server, r, aN));

  const bN = fit('(b)', N, bWarm, REPEATS * 2, BUDGET_MS.outbound);
  log(`(b) outbound: client -> server, ${count(bN)} messages`);
  const [bRaw, bLib] = await alternate<Sender>('(b)', senders, (s) => outbound(server, s, bN));

  log(`(c) reconnect: ${CYCLES} drop/reconnect cycles after ${WARMUP_CYCLES} warm-up cycles`);
  const cRaw = await reconnectCycles(server, rawFlapper, CYCLES, WARMUP_CYCLES);
  log(`  raw ws        ${cRaw.msPerCycle.toFixed(2)} ms/cycle  heap ${cRaw.heap.map(mb).join(' -> ')} MB`);
  const cLib = await reconnectCycles(server, libFlapper, CYCLES, WARMUP_CYCLES);
  log(`  rx-reconnect  ${cLib.msPerCycle.toFixed(2)} ms/cycle  heap ${cLib.heap.map(mb).join(' -> ')} MB`);

  const modes: Array<{ name: Dispatch }> = [{ name: 'route' }, { name: 'match' }];
  const dWarm = await warmUp(modes, WARMUP_N / 2, (mode, n) => dispatch(server, mode.name, CHANNELS, n));
  const dN = fit('(d)', DISPATCH_N, dWarm, REPEATS * 2, BUDGET_MS.dispatch);
  log(`(d) dispatch: ${count(CHANNELS)} channels, ${count(dN)} messages spread over them`);
  const [dRoute, dMatch] = await alternate('(d)', modes, (mode) => dispatch(server, mode.name, CHANNELS, dN));

  await server.stop();

  const growth = (result: CycleResult): number => (result.heap[2] - result.heap[0]) / CYCLES;
  log('');
  log(`Results: median of ${REPEATS} runs each; ratio = rx-reconnect / raw ws`);
  log('(msgs/s: higher is better; minor GCs, a proxy for bytes allocated, and ms per cycle: lower is better)');
  log(
    table(
      ['scenario', 'metric', 'raw ws', 'rx-reconnect', 'ratio'],
      [
        [`(a) inbound ${count(aN)}`, 'msgs/s', count(medianRate(aRaw)), count(medianRate(aLib)), ratio(medianRate(aLib) / medianRate(aRaw))],
        ['', 'peak heap growth (MB)', mb(medianHeap(aRaw)), mb(medianHeap(aLib)), ''],
        ['', 'minor GCs per run', count(medianGcs(aRaw)), count(medianGcs(aLib)), ratio(medianGcs(aLib) / medianGcs(aRaw))],
        [`(b) outbound ${count(bN)}`, 'msgs/s', count(medianRate(bRaw)), count(medianRate(bLib)), ratio(medianRate(bLib) / medianRate(bRaw))],
        ['', 'peak heap growth (MB)', mb(medianHeap(bRaw)), mb(medianHeap(bLib)), ''],
        ['', 'minor GCs per run', count(medianGcs(bRaw)), count(medianGcs(bLib)), ratio(medianGcs(bLib) / medianGcs(bRaw))],
        [`(c) ${CYCLES} reconnect cycles`, 'ms per cycle', cRaw.msPerCycle.toFixed(2), cLib.msPerCycle.toFixed(2), ratio(cLib.msPerCycle / cRaw.msPerCycle)],
        ['', 'settled heap after warm-up (MB)', mb(cRaw.heap[0]), mb(cLib.heap[0]), ''],
        ['', `  after ${CYCLES / 2} cycles (MB)`, mb(cRaw.heap[1]), mb(cLib.heap[1]), ''],
        ['', `  after ${CYCLES} cycles (MB)`, mb(cRaw.heap[2]), mb(cLib.heap[2]), ''],
        ['', 'heap growth per cycle (bytes)', signedBytes(growth(cRaw)), signedBytes(growth(cLib)), ''],
      ],
    ),
  );
  log('');
  log(
    table(
      ['scenario', 'metric', 'route', 'match only', 'match/route'],
      [
        [`(d) ${count(CHANNELS)} channels, ${count(dN)} msgs`, 'msgs/s', count(medianRate(dRoute)), count(medianRate(dMatch)), ratio(medianRate(dMatch) / medianRate(dRoute))],
        ['', 'peak heap growth (MB)', mb(medianHeap(dRoute)), mb(medianHeap(dMatch)), ''],
        ['', 'minor GCs per run', count(medianGcs(dRoute)), count(medianGcs(dMatch)), ''],
      ],
    ),
  );
  log('');
  log(`total ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
