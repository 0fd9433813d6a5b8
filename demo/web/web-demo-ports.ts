/** The highest `--port`: the WebSocket server takes the next one. */
export const MAX_PAGE_PORT = 65_534;

/**
 * The ports of `--web --port N`: the page on N and its WebSocket server on N + 1, so one flag
 * fixes both; 0 (the default) leaves both to the system.
 */
export function webDemoPorts(port: number): { readonly port: number; readonly wsPort: number } {
  return port === 0 ? { port: 0, wsPort: 0 } : { port, wsPort: port + 1 };
}
