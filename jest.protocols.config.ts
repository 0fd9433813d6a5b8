import type { Config } from 'jest';
import base from './jest.config';

/**
 * `npm run test:protocols`: the NATS client against a real 3-node nats-server cluster and the
 * MQTT example against a real mosquitto (both installed by spec/support/ensure-servers.sh).
 */
const config: Config = {
  ...base,
  roots: ['<rootDir>/spec/nats', '<rootDir>/examples'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 60_000,
};

export default config;
