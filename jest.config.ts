import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // Suites that need a real nats-server (one node, or a cluster) or mosquitto run in
  // `npm run test:protocols` (jest.protocols.config.ts); the NATS client's unit tests and its
  // tests against a scripted ws server (spec/nats/client/) run here.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/nats/server/', '<rootDir>/spec/nats/cluster/', '<rootDir>/spec/nats/jetstream/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // @angular/core ships ES modules only: spec/angular runs them through esbuild.
    '^.+/node_modules/@angular/.+\\.m?js$': '<rootDir>/spec/angular/support/esm-to-cjs.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@angular/)'],
  // Integration tests open real sockets on 127.0.0.1; each must close what it opens.
  detectOpenHandles: true,
  // A TestScheduler flush that never runs out of work fails with VirtualTimeRunaway (#18).
  setupFilesAfterEnv: ['<rootDir>/spec/support/setup-virtual-time-tripwire.ts'],
  testTimeout: 15_000,
};

export default config;
