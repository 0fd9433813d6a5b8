import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Failover times in ms: from the fault (kill, signal) to each client's `Reconnected`. */
export interface FailoverTimes {
  readonly clients: number;
  readonly max: number;
  readonly median: number;
}

/** What one cluster scenario reports (issue #9: "the resolution reports per scenario"). */
export interface ScenarioReport {
  readonly published: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly failoverMs: FailoverTimes;
  readonly subscriptionsRestored: number;
  /** Anything else the scenario measured (request outcome, per-step figures…). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** .artifacts/nats-cluster.json at the repository root (gitignored). */
export const ARTIFACT_PATH = resolve(__dirname, '../../../..', '.artifacts', 'nats-cluster.json');

/** Writes `report` under `scenario` into {@link ARTIFACT_PATH}, keeping the other scenarios. */
export function recordScenario(scenario: string, report: ScenarioReport): void {
  mkdirSync(join(ARTIFACT_PATH, '..'), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(ARTIFACT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    // First scenario, or a file left half-written: start afresh.
  }
  all[scenario] = { ...report, at: new Date().toISOString() };
  const temp = `${ARTIFACT_PATH}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(temp, ARTIFACT_PATH);
}

/** Max and median of some failover times (0s when there are none). */
export function failoverTimes(values: readonly number[]): FailoverTimes {
  if (values.length === 0) return { clients: 0, max: 0, median: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { clients: values.length, max: Math.round(sorted[sorted.length - 1]), median: Math.round(median) };
}
