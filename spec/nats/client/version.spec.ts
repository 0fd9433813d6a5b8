import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANG, VERSION } from '../../../lib/nats/connect-op';

describe('the CONNECT of rx-reconnect/nats', () => {
  it("names the package's own version (servers show it in their connection lists)", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { name: string; version: string };
    expect(LANG).toBe(pkg.name);
    expect(VERSION).toBe(pkg.version);
  });
});
