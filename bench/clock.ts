/**
 * One clock for the client and the server: `process.hrtime` reads CLOCK_MONOTONIC, which is
 * the same in every thread and every process of the machine, so a time taken by the server
 * (in a worker thread or a child process) can be compared with one taken by the client.
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
