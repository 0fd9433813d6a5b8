import { NatsParser } from '../../../lib/nats/parser';
import { splitConnectUrls } from '../../../lib/nats/connect-urls';
import type { NatsConnection, NatsError } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

describe('INFO.connect_urls: server data, never configuration (#16)', () => {
  it('splits entries into host:port ones and malformed ones (#16)', () => {
    expect(
      splitConnectUrls(['10.0.0.2:4222', 'nats.example:443', '[::1]:8080', 'h:1#frag', 'h:1/path', 'user@h:1', 'h:0', 'h:70000', 'h', '', 42, null]),
    ).toEqual({
      valid: ['10.0.0.2:4222', 'nats.example:443', '[::1]:8080'],
      malformed: ['h:1#frag', 'h:1/path', 'user@h:1', 'h:0', 'h:70000', 'h', '', 42, null],
    });
    expect(splitConnectUrls('h:1')).toEqual({ valid: [], malformed: ['h:1'] });
    expect(splitConnectUrls(undefined)).toEqual({ valid: [], malformed: [] });
  });

  it('keeps an INFO with malformed entries, its good entries and fields intact (#16)', () => {
    const { ops, error } = new NatsParser().parse(
      `INFO ${JSON.stringify({ server_id: 'S', max_payload: 99, connect_urls: ['a:1', 42, 'b:2#x'] })}\r\n`,
    );
    expect(error).toBeUndefined();
    expect(ops).toEqual([
      { op: 'INFO', info: { server_id: 'S', max_payload: 99, connect_urls: ['a:1'] }, malformedConnectUrls: [42, 'b:2#x'] },
    ]);
  });

  describe('against a scripted server', () => {
    const servers: WsTestServer[] = [];
    let nc: NatsConnection | undefined;
    afterEach(async () => {
      nc?.close();
      await Promise.all(servers.splice(0).map((server) => server.stop()));
    });

    it('skips malformed entries, reports each on errors$, and fails over to a good one: no fatal Closed (#16)', async () => {
      const b = await startFakeNats();
      servers.push(b);
      // A URL with a fragment is a fatal ConfigError when a url factory returns it: 0.3.1 added it to the pool.
      const a = await startFakeNats(() => ({ connect_urls: ['127.0.0.1:1#frag', 42, `127.0.0.1:${b.port}`] }));
      servers.push(a);
      const made = client({ servers: a.url });
      nc = made.nc;
      const errors: NatsError[] = [];
      nc.errors$.subscribe((error) => errors.push(error));
      await made.log.waitFor('Connected');
      expect(nc.servers).toEqual([a.url, `ws://127.0.0.1:${b.port}`]);
      expect(errors.map((error) => error.message)).toEqual([
        'skipped a malformed entry of INFO.connect_urls: "127.0.0.1:1#frag" (expected host:port)',
        'skipped a malformed entry of INFO.connect_urls: 42 (expected host:port)',
      ]);
      const mark = made.log.events.length;
      await a.stop();
      const back = await made.log.waitFor('Reconnected', { after: mark });
      expect(back.url).toBe(`ws://127.0.0.1:${b.port}`);
      await until(() => made.log.of('SubscriptionsRestored').length === 1, 'the restore');
      expect(made.log.of('Closed')).toEqual([]);
      expect(made.log.of('InvalidMessage')).toEqual([]);
    });
  });
});
