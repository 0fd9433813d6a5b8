import { request } from 'node:http';
import { connect } from 'node:net';

/**
 * A bounded wait: `check` every `every` ms until it returns true, failing after `ms` (or as soon
 * as `check` throws).
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms: number,
  every = 50,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Whether 127.0.0.1:`port` accepts a TCP connection (closed at once; at most `ms` ms). */
export function accepts(port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * GET http://127.0.0.1:`port``path` as JSON, on a fresh connection closed afterwards (no
 * keep-alive socket left for Jest's open-handle check), failing after `ms` ms.
 */
export function getJson<T>(port: number, path: string, ms = 1_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode}`);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(ms, () => req.destroy(new Error(`GET ${path}: no answer within ${ms} ms`)));
    req.once('error', reject);
    req.end();
  });
}
