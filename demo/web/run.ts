/**
 * `npm run demo -- --web`: serves the live page (see {@link startWebDemo}), prints its URL and
 * runs until Ctrl-C. `--port N` serves it on port N and its WebSocket server on N + 1, so both
 * are known in advance (to forward them from a container, say); default: any free ones.
 *
 * `--web --once` (for tests and CI): exits 0 as soon as the page has been driven — server
 * killed, an order sent while offline, server restarted, `SubscriptionsRestored`, the order
 * received by the server — or 1 when that has not happened within `--timeout S` seconds
 * (default 120).
 */
import { Timeline } from '../timeline';
import { startWebDemo, type WebDemo } from './start-web-demo';
import { MAX_PAGE_PORT, webDemoPorts } from './web-demo-ports';

const args = process.argv.slice(2);
const once = args.includes('--once');
const port = numberArg('--port', 0, MAX_PAGE_PORT);
const ports = webDemoPorts(port);
const timeoutMs = numberArg('--timeout', 120) * 1000;
const timeline = new Timeline();

async function main(): Promise<void> {
  const demo = await startWebDemo({ ...ports, log: (tag, text, colour) => timeline.line(tag, text, colour) });
  timeline.line('demo', `pub/sub server on ${demo.wsUrl}`, 'bold');
  timeline.line('demo', `open ${demo.url} in a browser${once ? ' and drive it (--once: exits when driven)' : '  (Ctrl-C to stop)'}`, 'green');

  const stop = (code: number): void => {
    demo.stop().then(
      () => {
        timeline.line('demo', 'stopped', 'bold');
        process.exitCode = code;
      },
      (error: unknown) => fail(error),
    );
  };
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  if (once) await untilDriven(demo, stop);
}

async function untilDriven(demo: WebDemo, stop: (code: number) => void): Promise<void> {
  let timeUp = (): void => undefined;
  const timedOut = new Promise<undefined>((resolve) => (timeUp = () => resolve(undefined)));
  const timer = setTimeout(() => timeUp(), timeoutMs);
  const summary = await Promise.race([demo.driven, timedOut]);
  clearTimeout(timer);
  if (summary === undefined) {
    timeline.line('demo', `the page was not driven within ${timeoutMs / 1000} s`, 'red');
    return stop(1);
  }
  const delivered = summary.bufferedOrders.map((id) => `order ${id} on client #${summary.deliveredOn.get(id)}`);
  timeline.line('demo', `driven: buffered while offline and delivered after the restart: ${delivered.join(', ')}`, 'green');
  stop(0);
}

function numberArg(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 0 || value > max) fail(new Error(`${name} needs a whole number from 0 to ${max}, got ${args[index + 1]}`));
  return value;
}

function fail(error: unknown): never {
  process.stderr.write(`web demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

main().catch(fail);
