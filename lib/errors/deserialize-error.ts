/** The serializer could not turn an inbound frame into a message; carried by `InvalidMessage`. */
export class DeserializeError extends Error {
  override readonly name = 'DeserializeError';

  constructor(
    /** What the serializer threw. */
    override readonly cause: unknown,
  ) {
    super(`Inbound frame could not be deserialized: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
