/**
 * Runs the NATS cluster demo as a script (`npm run demo -- --nats`): exit code 0 when every
 * check passed; a safety timer exits 1 after 30 s whatever happens.
 */
import { runNatsDemo } from './main';

const SAFETY_MS = 30_000;

const safety = setTimeout(() => {
  process.stderr.write(`nats demo: still running after ${SAFETY_MS / 1000} s, giving up\n`);
  process.exit(1);
}, SAFETY_MS);
safety.unref();

runNatsDemo().then(
  () => (process.exitCode = 0),
  (error: unknown) => {
    process.stderr.write(`nats demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
