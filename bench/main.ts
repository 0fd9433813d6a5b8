/**
 * `npm run bench`: rx-reconnect against a raw `ws` client and the libraries a user would pick
 * instead (`rxjs/webSocket`, `reconnecting-websocket`, `partysocket`), in the same run, against
 * one `ws` server on 127.0.0.1 (port 0) running in a worker thread. Every ratio is a
 * contender's median over raw `ws`'s median in the same run.
 *
 *   (a) inbound   the server sends 200 000 × 100 B and 2 000 × 64 KB messages as fast as
 *                 backpressure allows: msgs/s and minor GCs per run (the allocation proxy)
 *   (r) latency   reconnect: TCP accept → first message delivered to the client
 *   (h) heap      per idle connection: the growth from 100 to 600 open clients, per client,
 *                 after GC (client heap only: the marginal cost, without one-time costs)
 *   (s) storm     500 clients, the server down 1 s: attempts per 100 ms, time until all back
 *   (b) outbound  rx-reconnect vs raw ws: the client sends N small JSON messages
 *   (c) reconnect rx-reconnect vs raw ws: 5 000 drop/reconnect cycles; settled heap before/after
 *   (d) dispatch  1000 channels: `route` vs `match` only
 *
 * `--quick`: fewer repeats and smaller counts (under 60 s). `--scale`: only the scale run,
 * 10 000 idle rx-reconnect connections against a server in a child process, then a restart.
 * A full run writes bench/results.md and bench/chart.svg; `--quick` and `--scale` write to the
 * OS temp directory unless `--out DIR` is given. Everything is bounded in count and time, and
 * a safety timer exits 1 when the run overstays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AB_CONTENDERS, CONTENDERS, rxReconnectNoHeartbeat, type Contender } from './contenders';
import { dispatch, type Dispatch } from './dispatch';
import { figure, record, summary, type Figure } from './figures';
import { idleHeap } from './idle-heap';
import { inbound, type RunResult } from './inbound';
import { reconnectLatency } from './latency';
import { gcExposedByFlag, median } from './measure';
import { libSender, outbound, rawSender, type Sender } from './outbound';
import { libFlapper, rawFlapper, reconnectCycles, type CycleResult } from './reconnect';
import { machine, writeChart, writeResults, type BenchReport, type Side } from './report';
import { runScale } from './scale';
import { BenchServer } from './server';
import { storm, type StormResult } from './storm';
import { count, mb, ratio, signedBytes, table } from './table';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const SCALE = argv.includes('--scale');
const outFlag = argv.indexOf('--out');
const OUT_DIR =
  outFlag >= 0 && argv[outFlag + 1] !== undefined
    ? resolve(argv[outFlag + 1])
    : QUICK || SCALE
      ? join(tmpdir(), 'rx-reconnect-bench')
      : __dirname;

/** The sizes of a run: full, or `--quick`. */
const P = QUICK
  ? {
      repeats: 3,
      noisyRepeats: 3,
      small: { n: 20_000, bytes: 100 },
      large: { n: 300, bytes: 64 * 1024 },
      latency: { cycles: 15, warmup: 3, delay: 10 },
      heap: { n: 200 },
      storm: { n: 200, repeats: 1 },
      outbound: { n: 20_000 },
      cycles: { n: 500, warmup: 50 },
      dispatch: { n: 10_000 },
      safetyMs: 60_000,
      softMs: 45_000,
    }
  : {
      repeats: 5,
      /** Rounds for the figures whose runs scatter most on a shared machine (inbound, latency). */
      noisyRepeats: 9,
      small: { n: 200_000, bytes: 100 },
      large: { n: 2_000, bytes: 64 * 1024 },
      latency: { cycles: 80, warmup: 5, delay: 10 },
      heap: { n: 500 },
      storm: { n: 500, repeats: 5 },
      outbound: { n: 200_000 },
      cycles: { n: 5_000, warmup: 50 },
      dispatch: { n: 50_000 },
      safetyMs: 300_000,
      softMs: 250_000,
    };
/** The base reconnect delay every contender is given (rx-reconnect's default `initialDelay`). */
const BASE_DELAY = 100;
/** How long the storm's server stays down. */
const DOWN_MS = 1_000;
const CHANNELS = 1_000;
const began = performance.now();
const elapsed = (): number => performance.now() - began;

const safety = setTimeout(
  () => {
    process.stderr.write(`bench: still running after ${(SCALE ? 180_000 : P.safetyMs) / 1000} s, giving up\n`);
    process.exit(1);
  },
  SCALE ? 180_000 : P.safetyMs,
);
safety.unref();

const log = (text: string): void => void process.stdout.write(`${text}\n`);

/**
 * Runs `run` for every subject, round after round, up to `repeats` rounds; a round after the
 * first is skipped once `deadline` (ms since the start) has passed, and the output says so.
 */
async function rounds<S extends { name: string }, R>(
  label: string,
  subjects: readonly S[],
  repeats: number,
  deadline: number,
  run: (subject: S) => Promise<R>,
  describe: (result: R) => string,
): Promise<R[][]> {
  const results: R[][] = subjects.map(() => []);
  for (let round = 1; round <= repeats; round++) {
    if (round > 1 && elapsed() > deadline) {
      log(`  ${label}: time budget spent, ${round - 1} run(s) each`);
      break;
    }
    for (const [index, subject] of subjects.entries()) {
      const result = await run(subject);
      results[index].push(result);
      log(`  ${label} ${round}/${repeats}  ${subject.name.padEnd(31)} ${describe(result)}`);
    }
  }
  return results;
}

const describeRun = (result: RunResult): string =>
  `${count(result.perSecond).padStart(9)} msgs/s  ${count(result.ms).padStart(5)} ms  peak heap +${mb(result.heapPeak)} MB` +
  `  GCs ${result.minorGcs} minor / ${result.majorGcs} major (${result.gcMs.toFixed(0)} ms)`;

/** `n`, or less when the warm-up rate says `runs` runs of `n` would not fit in `budgetMs` (and said so). */
function fit(label: string, n: number, rate: number, runs: number, budgetMs: number, step: number): number {
  const fits = Math.floor((rate * budgetMs) / 1000 / runs / step) * step;
  if (fits >= n) return n;
  const reduced = Math.max(step, fits);
  log(`  ${label}: ${count(reduced)} messages instead of ${count(n)}, to fit ${runs} runs in ${budgetMs / 1000} s (warm-up: ${count(rate)} msgs/s)`);
  return reduced;
}

/** Deadlines (ms since the start) after which a scenario stops repeating. */
const share = (fraction: number): number => P.softMs * fraction;

async function main(): Promise<void> {
  log(
    `rx-reconnect bench${QUICK ? ' --quick' : ''}: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ` +
      `ws server in a ${SCALE ? 'child process' : 'worker thread'}; gc ${gcExposedByFlag ? 'via --expose-gc' : 'exposed at run time (v8 flag)'}`,
  );
  if (SCALE) {
    const scale = await runScale(log);
    mkdirSync(OUT_DIR, { recursive: true });
    const file = join(OUT_DIR, 'results-scale.md');
    writeFileSync(file, scale.markdown);
    log(`wrote ${file}`);
    log(`total ${(elapsed() / 1000).toFixed(1)} s`);
    return;
  }
  const server = await BenchServer.start();
  log(`server ${server.url}`);
  const contenders = CONTENDERS;

  // (a) inbound, two sizes
  const inboundFigures: Array<{ rate: Figure; gcs: Figure; heap: Figure }> = [];
  const sizes = [
    { ...P.small, label: `inbound ${count(P.small.n)} × 100 B`, short: '100 B', budget: 0.2, fit: 0.2, repeats: P.noisyRepeats },
    { ...P.large, label: `inbound ${count(P.large.n)} × 64 KB`, short: '64 KB', budget: 0.3, fit: 0.2, repeats: P.noisyRepeats },
  ];
  for (const size of sizes) {
    log(`(a) ${size.label}: warm-up`);
    // Two rounds: the first warms the JIT up, the second sizes the runs.
    let slowest = Infinity;
    for (const warmRound of [0, 1]) {
      for (const contender of contenders) {
        const warm = await inbound(server, contender, Math.max(1, Math.floor(size.n / 10)), size.bytes, BASE_DELAY);
        if (warmRound === 1) slowest = Math.min(slowest, warm.perSecond);
      }
    }
    const n = fit(`(a) ${size.short}`, size.n, slowest, size.repeats * contenders.length, P.softMs * size.fit, size.bytes > 1000 ? 100 : 10_000);
    const rate = figure(`inbound ${count(n)} × ${size.short}`, 'msgs/s', 'higher', count, `inbound ${size.short}: msgs/s`);
    const gcs = figure(`  minor GCs per run (allocation)`, 'GCs', 'lower', count, `inbound ${size.short}: minor GCs`);
    const heap = figure(`  peak heap growth`, 'MB', 'lower', mb, '', false);
    log(`(a) ${rate.label}`);
    const results = await rounds('(a)', contenders, size.repeats, share(size.budget), (c) => inbound(server, c, n, size.bytes, BASE_DELAY), describeRun);
    for (const [index, contender] of contenders.entries()) {
      for (const result of results[index]) {
        record(rate, contender.name, result.perSecond);
        record(gcs, contender.name, result.minorGcs);
        record(heap, contender.name, result.heapPeak);
      }
    }
    inboundFigures.push({ rate, gcs, heap });
  }

  const lap = (label: string): void => log(`  [${label} done at ${(elapsed() / 1000).toFixed(1)} s]`);
  lap('(a)');
  // (r) reconnect latency
  const { cycles, warmup, delay } = P.latency;
  const latency = figure('reconnect: TCP accept → first message', 'ms', 'lower', (v) => v.toFixed(2), 'reconnect latency');
  log(`(r) reconnect latency: ${cycles} cycles after ${warmup} warm-up, fixed ${delay} ms delay`);
  const latencies = await rounds('(r)', contenders, P.noisyRepeats, share(0.45), (c) => reconnectLatency(server, c, cycles, warmup, delay), (ms) => `${ms.toFixed(3)} ms`);
  for (const [index, contender] of contenders.entries()) for (const ms of latencies[index]) record(latency, contender.name, ms);

  lap('(r)');
  // (h) heap per idle connection
  const heapContenders: readonly Contender[] = [...contenders, rxReconnectNoHeartbeat, ...AB_CONTENDERS.slice(1)];
  const heap = figure(`heap per idle connection (${P.heap.n} beside ${Math.ceil(P.heap.n / 5)}, after GC)`, 'KB', 'lower', (v) => (v / 1024).toFixed(2), 'heap / idle connection');
  log(`(h) heap per idle connection: ${P.heap.n} connections beside ${Math.ceil(P.heap.n / 5)} already open (after an unmeasured round)`);
  // The first round's baseline would otherwise include code and garbage of the earlier scenarios.
  for (const contender of heapContenders) await idleHeap(server, contender, Math.ceil(P.heap.n / 5), BASE_DELAY);
  const heaps = await rounds('(h)', heapContenders, P.repeats, share(0.55), (c) => idleHeap(server, c, P.heap.n, BASE_DELAY), (b) => `${count(b)} bytes`);
  for (const [index, contender] of heapContenders.entries()) for (const bytes of heaps[index]) record(heap, contender.name, bytes);

  lap('(h)');
  // (s) storm
  const stormPeak = figure(`storm, ${P.storm.n} clients, down 1 s: busiest 100 ms bin`, '% of attempts', 'lower', (v) => `${(v * 100).toFixed(0)} %`, 'storm: peak 100 ms share');
  const stormSliding = figure('  busiest 100 ms, sliding window', '% of attempts', 'lower', (v) => `${(v * 100).toFixed(0)} %`, '', false);
  const stormAccepts = figure('  server side: busiest 100 ms of TCP accepts after it listens again', '% of accepts', 'lower', (v) => `${(v * 100).toFixed(0)} %`, '', false);
  const stormBack = figure('  all back after the server listens again', 's', 'lower', (v) => (v / 1000).toFixed(2), 'storm: all back');
  const stormHalf = figure('  half back', 's', 'lower', (v) => (v / 1000).toFixed(2), '', false);
  const stormAttempts = figure('  connection attempts (all clients)', 'attempts', 'lower', count, '', false);
  log(`(s) storm: ${P.storm.n} clients, server down ${DOWN_MS} ms, base delay ${BASE_DELAY} ms`);
  const storms = await rounds<Contender, StormResult>(
    '(s)',
    contenders,
    P.storm.repeats,
    share(0.8),
    (c) => storm(server, c, P.storm.n, DOWN_MS, BASE_DELAY),
    (r) =>
      `${count(r.attempts)} attempts, busiest 100 ms ${(r.peakShare * 100).toFixed(0)} % (sliding ${(r.slidingPeakShare * 100).toFixed(0)} %, ` +
      `server accepts ${(r.acceptPeakShare * 100).toFixed(0)} %), ` +
      `all back ${(r.allBackMs / 1000).toFixed(2)} s (half ${(r.halfBackMs / 1000).toFixed(2)} s)`,
  );
  const histograms = new Map<string, readonly number[]>();
  const acceptHistograms = new Map<string, readonly number[]>();
  for (const [index, contender] of contenders.entries()) {
    for (const r of storms[index]) {
      record(stormPeak, contender.name, r.peakShare);
      record(stormSliding, contender.name, r.slidingPeakShare);
      record(stormAccepts, contender.name, r.acceptPeakShare);
      record(stormBack, contender.name, r.allBackMs);
      record(stormHalf, contender.name, r.halfBackMs);
      record(stormAttempts, contender.name, r.attempts);
    }
    // The histogram of the run whose all-back time is the median.
    const byBack = [...storms[index]].sort((a, b) => a.allBackMs - b.allBackMs);
    histograms.set(contender.name, byBack[(byBack.length - 1) >> 1].bins);
    acceptHistograms.set(contender.name, byBack[(byBack.length - 1) >> 1].acceptBins);
  }

  lap('(s)');
  // (b) outbound, rx-reconnect vs raw ws
  const senders: Sender[] = [rawSender, libSender];
  log(`(b) outbound: warm-up`);
  let slowestOut = Infinity;
  for (const warmRound of [0, 1]) {
    for (const sender of senders) {
      const rate = (await outbound(server, sender, Math.floor(P.outbound.n / 10))).perSecond;
      if (warmRound === 1) slowestOut = Math.min(slowestOut, rate);
    }
  }
  const bN = fit('(b)', P.outbound.n, slowestOut, P.repeats * 2, share(0.14), 10_000);
  log(`(b) outbound: client -> server, ${count(bN)} messages`);
  const [bRaw, bLib] = await rounds('(b)', senders, P.repeats, share(0.85), (s) => outbound(server, s, bN), describeRun);

  lap('(b)');
  // (c) heap flat over reconnect cycles
  log(`(c) reconnect: ${count(P.cycles.n)} drop/reconnect cycles after ${P.cycles.warmup} warm-up cycles`);
  const cRaw = await reconnectCycles(server, rawFlapper, P.cycles.n, P.cycles.warmup);
  log(`  raw ws        ${cRaw.msPerCycle.toFixed(2)} ms/cycle  heap ${cRaw.heap.map(mb).join(' -> ')} MB`);
  const cLib = await reconnectCycles(server, libFlapper, P.cycles.n, P.cycles.warmup);
  log(`  rx-reconnect  ${cLib.msPerCycle.toFixed(2)} ms/cycle  heap ${cLib.heap.map(mb).join(' -> ')} MB`);

  lap('(c)');
  // (d) dispatch: route vs match
  const modes: Array<{ name: Dispatch }> = [{ name: 'route' }, { name: 'match' }];
  log(`(d) dispatch: warm-up`);
  let slowestD = Infinity;
  for (const warmRound of [0, 1]) {
    for (const mode of modes) {
      const rate = (await dispatch(server, mode.name, CHANNELS, Math.floor(P.dispatch.n / 5))).perSecond;
      if (warmRound === 1) slowestD = Math.min(slowestD, rate);
    }
  }
  const dN = fit('(d)', P.dispatch.n, slowestD, P.repeats * 2, share(0.08), 10_000);
  log(`(d) dispatch: ${count(CHANNELS)} channels, ${count(dN)} messages spread over them`);
  const [dRoute, dMatch] = await rounds('(d)', modes, P.repeats, share(0.95), (m) => dispatch(server, m.name, CHANNELS, dN), describeRun);

  await server.stop();

  const figures: Figure[] = [
    inboundFigures[0].rate,
    inboundFigures[0].gcs,
    inboundFigures[0].heap,
    inboundFigures[1].rate,
    inboundFigures[1].gcs,
    inboundFigures[1].heap,
    latency,
    heap,
    stormPeak,
    stormSliding,
    stormAccepts,
    stormBack,
    stormHalf,
    stormAttempts,
  ];
  const medianOf = (runs: readonly RunResult[], key: 'perSecond' | 'heapPeak' | 'minorGcs'): number => median(runs.map((run) => run[key]));
  const growth = (result: CycleResult): number => (result.heap[2] - result.heap[0]) / P.cycles.n;
  const sides: Side[] = [
    {
      title: `(b) outbound: ${count(bN)} messages, client → server`,
      columns: ['raw ws', 'rx-reconnect', 'ratio'],
      rows: [
        ['msgs/s', count(medianOf(bRaw, 'perSecond')), count(medianOf(bLib, 'perSecond')), ratio(medianOf(bLib, 'perSecond') / medianOf(bRaw, 'perSecond'))],
        ['peak heap growth (MB)', mb(medianOf(bRaw, 'heapPeak')), mb(medianOf(bLib, 'heapPeak')), ''],
        ['minor GCs per run', count(medianOf(bRaw, 'minorGcs')), count(medianOf(bLib, 'minorGcs')), ratio(medianOf(bLib, 'minorGcs') / medianOf(bRaw, 'minorGcs'))],
      ],
    },
    {
      title: `(c) heap over ${count(P.cycles.n)} reconnect cycles (after ${P.cycles.warmup} warm-up cycles)`,
      columns: ['raw ws', 'rx-reconnect', 'ratio'],
      rows: [
        ['ms per cycle', cRaw.msPerCycle.toFixed(2), cLib.msPerCycle.toFixed(2), ratio(cLib.msPerCycle / cRaw.msPerCycle)],
        ['settled heap after warm-up (MB)', mb(cRaw.heap[0]), mb(cLib.heap[0]), ''],
        [`  after ${count(P.cycles.n / 2)} cycles (MB)`, mb(cRaw.heap[1]), mb(cLib.heap[1]), ''],
        [`  after ${count(P.cycles.n)} cycles (MB)`, mb(cRaw.heap[2]), mb(cLib.heap[2]), ''],
        ['heap growth per cycle (bytes)', signedBytes(growth(cRaw)), signedBytes(growth(cLib)), ''],
      ],
    },
    {
      title: `(d) dispatch: ${count(CHANNELS)} channels, ${count(dN)} messages (rx-reconnect only)`,
      columns: ['route', 'match only', 'match/route'],
      rows: [
        ['msgs/s', count(medianOf(dRoute, 'perSecond')), count(medianOf(dMatch, 'perSecond')), ratio(medianOf(dMatch, 'perSecond') / medianOf(dRoute, 'perSecond'))],
        ['peak heap growth (MB)', mb(medianOf(dRoute, 'heapPeak')), mb(medianOf(dMatch, 'heapPeak')), ''],
        ['minor GCs per run', count(medianOf(dRoute, 'minorGcs')), count(medianOf(dMatch, 'minorGcs')), ''],
      ],
    },
  ];

  const report: BenchReport = {
    quick: QUICK,
    machine: machine(),
    seconds: elapsed() / 1000,
    columns: heapContenders.map((c) => c.name),
    contenders: heapContenders,
    figures,
    histograms,
    acceptHistograms,
    sides,
    notes: [
      `Base reconnect delay ${BASE_DELAY} ms for every contender (rx-reconnect's default \`initialDelay\`); the reconnect-latency cycles use a fixed ${delay} ms instead (only the link's own cost is measured there).`,
      `Repeats: ${P.repeats} runs per contender for (h) and (b)/(d), ${P.noisyRepeats} for (a) and (r) (their runs scatter most), ${P.storm.repeats} for (s), alternating contenders within each round; median, with min–max in brackets.`,
    ],
  };

  log('');
  log(`Results (median of the runs; ratio = contender / raw ws in this run)`);
  const head = ['figure', 'unit', ...report.columns];
  log(
    table(
      head,
      figures.map((f) => [
        f.label,
        f.unit,
        ...report.columns.map((name) => {
          const s = summary(f.runs.get(name));
          if (s === undefined) return '–';
          const r = f.runs.get('raw ws') !== undefined && name !== 'raw ws' ? summary(f.runs.get('raw ws')) : undefined;
          return `${f.format(s.median)}${r !== undefined && r.median !== 0 ? ` ${ratio(s.median / r.median)}` : ''}`;
        }),
      ]),
    ),
  );
  for (const side of sides) {
    log('');
    log(side.title);
    log(table(['metric', ...side.columns], side.rows));
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const resultsFile = join(OUT_DIR, 'results.md');
  const chartFile = join(OUT_DIR, 'chart.svg');
  writeResults(resultsFile, report);
  writeChart(chartFile, report);
  log('');
  log(`wrote ${resultsFile} and ${chartFile}`);
  log(`total ${(elapsed() / 1000).toFixed(1)} s`);
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
