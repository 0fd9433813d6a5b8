import type { Config } from 'jest';
import base from './jest.config';

/**
 * `npm run test:protocols`: the NATS client against a real 3-node nats-server cluster and the
 * MQTT example against a real mosquitto (both installed by spec/support/ensure-servers.sh).
 */
const config: Config = {
  ...base,
  // spec/nats/client/ needs no server: it runs in `npm test`.
  roots: ['<rootDir>/spec/nats/server', '<rootDir>/spec/nats/cluster', '<rootDir>/spec/nats/jetstream', '<rootDir>/examples'],
  testMatch: ['**/*.spec.ts'],
  // examples/angular is its own project (Angular 22 needs TypeScript 6): examples/angular/ci.sh.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/examples/angular/'],
  testTimeout: 60_000,
};

export default config;
