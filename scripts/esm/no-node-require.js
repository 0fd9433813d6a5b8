// `#node-require` everywhere but Node (browser bundles): `ws` is never loaded there, so a
// bundler never sees it. Reached only where a non-Node runtime claims `process.versions.node`.
export function nodeRequire(id) {
  throw new Error(`rx-reconnect: cannot load '${id}' outside Node; pass the WebSocket option`);
}
