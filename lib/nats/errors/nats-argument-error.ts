import { describeArgument } from './describe';
import { NatsError } from './nats-error';

/**
 * A method of the NATS connection was called with an argument it cannot use (a payload that is
 * neither a string nor a `Uint8Array`, a subject that is not a string, a bad `max`…). Thrown
 * synchronously by `publish()`, or the error of the Observable a method returns; nothing is sent.
 *
 * @example
 * ```ts
 * try { nc.publish('orders', 42 as never); } catch (e) { if (e instanceof NatsArgumentError) console.log(e.argument); } // 'data'
 * ```
 */
export class NatsArgumentError extends NatsError {
  override readonly name = 'NatsArgumentError';

  constructor(
    /** The argument (or option) that was wrong, e.g. `'data'`, `'subject'`, `'options.max'`. */
    readonly argument: string,
    /** The value that was passed. */
    readonly value: unknown,
    /** What was expected instead. */
    readonly expected: string,
  ) {
    super(`invalid ${argument}: expected ${expected}, got ${describeArgument(value)}`);
  }
}
