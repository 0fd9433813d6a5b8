import { firstValueFrom } from 'rxjs';
import { ConfigError } from '../../../lib';
import { natsConnect, type NatsConnectOptions } from '../../../lib/nats';

describe('natsConnect() options', () => {
  it.each<[string, unknown, RegExp]>([
    ['no servers', { servers: [] }, /servers/],
    ['an http URL', { servers: 'http://127.0.0.1:1' }, /servers: expected a ws:\/\/ or wss:\/\/ URL/],
    ['a bad pool entry', { servers: ['ws://127.0.0.1:1', 'nope'] }, /servers\[1\]/],
    ['a negative requestTimeout', { servers: 'ws://127.0.0.1:1', requestTimeout: -1 }, /requestTimeout/],
    ['a numeric token', { servers: 'ws://127.0.0.1:1', token: 42 }, /token/],
    ['an unknown key', { servers: 'ws://127.0.0.1:1', severs: 'x' }, /severs/],
    ['a core option the NATS client sets itself', { servers: 'ws://127.0.0.1:1', url: 'ws://x' }, /url/],
    ['a bad core option', { servers: 'ws://127.0.0.1:1', connectTimeout: 0 }, /connectTimeout/],
  ])('throws ConfigError synchronously for %s (#9 nats)', (_what, options, message) => {
    expect(() => natsConnect(options as NatsConnectOptions)).toThrow(ConfigError);
    expect(() => natsConnect(options as NatsConnectOptions)).toThrow(message);
  });

  it('errors a request with a bad timeout with ConfigError, sending nothing (#9 nats)', async () => {
    const nc = natsConnect({ servers: 'ws://127.0.0.1:1', retry: false });
    try {
      const error = await firstValueFrom(nc.request('x', '', { timeout: 0 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toMatch(/timeout/);
    } finally {
      nc.close();
    }
  });
});
