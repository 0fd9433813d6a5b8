import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // Real nats-server clusters and mosquitto: `npm run test:protocols` (jest.protocols.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/nats/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Integration tests open real sockets on 127.0.0.1; each must close what it opens.
  detectOpenHandles: true,
  // A TestScheduler flush that never runs out of work fails with VirtualTimeRunaway (#18).
  setupFilesAfterEnv: ['<rootDir>/spec/support/setup-virtual-time-tripwire.ts'],
  testTimeout: 15_000,
};

export default config;
