import { config } from 'rxjs';

/** What RxJS reported through `config.onUnhandledError` during the current test. */
export interface UnhandledErrors {
  /** Every error RxJS reported, in order (an `error` nobody subscribed to handle). */
  readonly errors: unknown[];
}

/**
 * Records, per test, every error RxJS reports as unhandled (an observable that errors with no
 * error callback), instead of letting RxJS rethrow it on a timer, where it would crash a real
 * process. Call it once inside a `describe`; it installs and restores the hook around each test.
 *
 * On `TestScheduler.run()` virtual time the report is delivered during `flush()`, so a test can
 * assert `errors` right after its flush.
 */
export function recordUnhandledErrors(): UnhandledErrors {
  const errors: unknown[] = [];
  let previous: typeof config.onUnhandledError;
  beforeEach(() => {
    errors.length = 0;
    previous = config.onUnhandledError;
    config.onUnhandledError = (error: unknown) => errors.push(error);
  });
  afterEach(() => {
    config.onUnhandledError = previous;
  });
  return { errors };
}
