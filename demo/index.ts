/**
 * `npm run demo`: the `ws` pub/sub demo (a server restart, live); `npm run demo -- --nats`: the
 * NATS client across a real 3-node nats-server cluster (a node killed, another lame-ducked);
 * `npm run demo -- --web`: a live page in your browser (native WebSocket) with buttons to kill
 * and restart the server (`--once`: exit when the page has been driven; see demo/web/run.ts).
 */
if (process.argv.includes('--nats')) require('./nats/run');
else if (process.argv.includes('--web')) require('./web/run');
else require('./main');
