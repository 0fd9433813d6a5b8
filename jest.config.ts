import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Integration tests open real sockets on 127.0.0.1; each must close what it opens.
  detectOpenHandles: true,
  testTimeout: 15_000,
};

export default config;
