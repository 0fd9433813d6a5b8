import type { ClosedReason } from '../events';

/** Internal: the retry policy gave up; carried through `retry()`'s error channel to `Closed`. */
export class Termination {
  constructor(
    readonly reason: ClosedReason,
    readonly cause: unknown,
  ) {}
}
