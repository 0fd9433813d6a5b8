/**
 * Thrown by `close()` when a connection made on the real clock is closed inside
 * `TestScheduler.run()`: its timers are real `setInterval`s, and inside `run()` rxjs cancels
 * timers on virtual time, so they would go on firing and crash the process with "executing a
 * cancelled action". The connection is closed for real right after `run()` returns (one plain
 * `setTimeout(0)`), so nothing is left open. Create the connection inside `run()` (in Angular:
 * `TestBed.inject` inside `run()`), or close it outside, or pass the `TestScheduler` as `scheduler`.
 */
export class ClockMixUpError extends Error {
  override readonly name = 'ClockMixUpError';

  constructor() {
    super(
      'This connection was created on the real clock (outside TestScheduler.run()) and is being closed ' +
        'on virtual time (inside run()): its real timers cannot be cancelled from there, so it will be closed ' +
        'right after run() returns. Create it inside run() (Angular: TestBed.inject inside run()), close it ' +
        'outside, or pass the TestScheduler as `scheduler`.',
    );
  }
}
