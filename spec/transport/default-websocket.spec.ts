import WebSocket from 'ws';
import { ConfigError } from '../../lib';
import { defaultWebSocket } from '../../lib/transport/default-websocket';
import { TestServer } from '../../lib/testing';

describe('defaultWebSocket()', () => {
  it('is ws in Node', () => {
    expect(defaultWebSocket()).toBe(WebSocket);
  });

  it('is globalThis.WebSocket in a browser', () => {
    const Native = new TestServer().WebSocket;
    expect(defaultWebSocket({ WebSocket: Native })).toBe(Native);
  });

  it('throws ConfigError naming the WebSocket option where there is none', () => {
    expect(() => defaultWebSocket({})).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'WebSocket' }));
    expect(() => defaultWebSocket({})).toThrow(ConfigError);
  });
});
