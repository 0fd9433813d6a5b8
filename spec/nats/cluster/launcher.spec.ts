import WebSocket from 'ws';
import { DEFAULT_NATS_CLUSTER_OPTIONS, NatsCluster } from '../../../demo/nats/cluster';
import { getJson } from '../../../demo/nats/probe';
import { within } from '../../support/until';

/** The first frame nats-server sends a WebSocket client: its INFO, as text. */
function firstInfo(url: string, ms = 3_000): Promise<{ server_name: string; connect_urls?: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no INFO from ${url} within ${ms} ms`));
    }, ms);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('message', (data: Buffer) => {
      clearTimeout(timer);
      socket.terminate();
      const text = data.toString('utf8');
      const match = /^INFO (\{.*\}) *\r\n/.exec(text);
      if (match) resolve(JSON.parse(match[1]));
      else reject(new Error(`not an INFO: ${text.slice(0, 80)}`));
    });
  });
}

describe('NatsCluster (#9 nats cluster)', () => {
  let cluster: NatsCluster | undefined;

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts 3 routed nodes whose WebSocket listeners answer with INFO (#9 nats cluster)', async () => {
    cluster = await NatsCluster.start();
    expect(cluster.size).toBe(3);
    expect(new Set(cluster.wsUrls).size).toBe(3);
    for (const [i, node] of cluster.nodes.entries()) {
      expect(await node.routes()).toBe(2);
      const info = await firstInfo(cluster.wsUrl(i));
      expect(info.server_name).toBe(`n${i}`);
      // Every WebSocket listener, its own included, as host:port (what discovery builds on).
      const all = cluster.wsUrls.map((url) => url.replace('ws://', ''));
      expect([...(info.connect_urls ?? [])].sort()).toEqual([...all].sort());
    }
  });

  it('kills a node (SIGKILL) and restarts it on the same ports, routes back (#9 nats cluster)', async () => {
    const c = cluster!;
    const url = c.wsUrl(1);
    const pid = c.nodes[1].pid;
    await c.kill(1);
    expect(c.running(1)).toBe(false);
    await expect(firstInfo(url, 1_000)).rejects.toThrow(/ECONNREFUSED/);
    await c.restart(1);
    expect(c.running(1)).toBe(true);
    expect(c.nodes[1].pid).not.toBe(pid);
    expect(c.wsUrl(1)).toBe(url);
    expect((await firstInfo(url)).server_name).toBe('n1');
    for (const node of c.nodes) expect(await node.routes()).toBe(2);
  });

  it('lame duck: the client is told (INFO ldm), closed after the grace period, then the node exits (#9 nats cluster)', async () => {
    const c = cluster!;
    const socket = new WebSocket(c.wsUrl(2));
    const seen: Array<{ at: number; what: string }> = [];
    const pong = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.includes('PONG')) resolve();
        if (/"ldm":true/.test(text)) seen.push({ at: Date.now(), what: 'ldm' });
      });
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('open', () => socket.send('CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\nPING\r\n'));
    await within(pong, 'PONG');
    const started = Date.now();
    const exited = c.lameDuck(2);
    await within(closed, 'the lame-duck node to close its client', 10_000);
    seen.push({ at: Date.now(), what: 'closed' });
    await within(exited, 'the lame-duck node to exit', 10_000);
    expect(c.running(2)).toBe(false);
    expect(seen.map((s) => s.what)).toEqual(['ldm', 'closed']);
    expect(seen[0].at - started).toBeLessThan(1_000);
    // DEFAULT_NATS_CLUSTER_OPTIONS.lameDuckGracePeriod, give or take the timers' slack.
    expect(seen[1].at - started).toBeGreaterThanOrEqual(DEFAULT_NATS_CLUSTER_OPTIONS.lameDuckGracePeriod - 100);
    await c.restart(2);
    expect(await c.nodes[2].routes()).toBe(2);
  });

  it('stop() leaves no process and answers nothing (#9 nats cluster)', async () => {
    const c = cluster!;
    const pids = c.nodes.map((node) => node.pid!);
    const http = c.nodes[0].options.ports.http;
    await c.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(getJson(http, '/varz', 500)).rejects.toThrow();
  });
});
