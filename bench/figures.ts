import { median } from './measure';

/** One measured figure: a value per run for each contender. */
export interface Figure {
  /** Row heading. */
  readonly label: string;
  /** Unit of the values, for the heading. */
  readonly unit: string;
  /** Which way is better (for the reader; ratios are always contender / raw ws). */
  readonly better: 'higher' | 'lower';
  /** Shown in the chart (a ratio to raw ws makes sense for it). */
  readonly chart: boolean;
  /** Short label for the chart. */
  readonly short: string;
  /** A value as text. */
  readonly format: (value: number) => string;
  /** Contender name → one value per run. */
  readonly runs: Map<string, number[]>;
}

export function figure(
  label: string,
  unit: string,
  better: 'higher' | 'lower',
  format: (value: number) => string,
  short: string,
  chart = true,
): Figure {
  return { label, unit, better, chart, short, format, runs: new Map() };
}

export function record(target: Figure, contender: string, value: number): void {
  const runs = target.runs.get(contender) ?? [];
  runs.push(value);
  target.runs.set(contender, runs);
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function summary(values: readonly number[] | undefined): Summary | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** The contender's median over raw ws's median, in the same run. */
export function ratioToRaw(target: Figure, contender: string, baseline = 'raw ws'): number | undefined {
  const own = summary(target.runs.get(contender));
  const raw = summary(target.runs.get(baseline));
  if (own === undefined || raw === undefined || raw.median === 0) return undefined;
  return own.median / raw.median;
}
