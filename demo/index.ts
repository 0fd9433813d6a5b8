/**
 * `npm run demo`: the `ws` pub/sub demo (a server restart, live); `npm run demo -- --nats`: the
 * NATS client across a real 3-node nats-server cluster (a node killed, another lame-ducked).
 */
if (process.argv.includes('--nats')) require('./nats/run');
else require('./main');
