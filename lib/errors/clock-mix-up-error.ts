/**
 * Thrown by `close()` (and nothing else is done) when a connection made on the real clock is
 * closed inside `TestScheduler.run()`: its timers are real `setInterval`s, and inside `run()`
 * rxjs cancels timers on virtual time, so they would go on firing and crash the process with
 * "executing a cancelled action". Create the connection inside `run()` (in Angular:
 * `TestBed.inject` inside `run()`), or close it outside, or pass the `TestScheduler` as `scheduler`.
 */
export class ClockMixUpError extends Error {
  override readonly name = 'ClockMixUpError';

  constructor() {
    super(
      'This connection was created on the real clock (outside TestScheduler.run()) and is being closed ' +
        'on virtual time (inside run()): its real timers cannot be cancelled from there. Create it inside ' +
        'run() (Angular: TestBed.inject inside run()), close it outside, or pass the TestScheduler as `scheduler`.',
    );
  }
}
