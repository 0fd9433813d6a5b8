import type { Collector } from './collector';

/** What warm-up needs of a client: NatsConnection.publish. */
export interface Publisher {
  publish(subject: string, data?: string): void;
}

/**
 * Interest travels between nodes asynchronously (a SUB on one node reaches the others over the
 * routes): publishes `<tag>-<n>` on `subject` every `every` ms until `collector` has one (at most
 * `tries`), so the messages a test counts are not lost to a route that has not caught up yet.
 * These warm-up messages are not counted by the tests. Resolves with how many were sent.
 */
export async function untilRouted(
  publisher: Publisher,
  subject: string,
  collector: Collector,
  tag: string,
  { every = 50, tries = 60 }: { every?: number; tries?: number } = {},
): Promise<number> {
  const arrived = (): boolean => collector.payloads.some((payload) => payload.startsWith(`${tag}-`));
  for (let n = 1; n <= tries; n++) {
    publisher.publish(subject, `${tag}-${n}`);
    await new Promise((resolve) => setTimeout(resolve, every));
    if (arrived()) return n;
  }
  throw new Error(`nothing published on ${subject} reached its subscriber after ${tries} tries`);
}
