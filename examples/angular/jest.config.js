// Jest through jest-preset-angular: Angular's compiler for the specs, jsdom as the browser.
// CommonJS preset: Angular's ESM packages (.mjs) are transformed by the preset.
const { createCjsPreset } = require('jest-preset-angular/presets');

/** @type {import('jest').Config} */
module.exports = {
  ...createCjsPreset({ testEnvironment: 'jest-preset-angular/environments/jest-jsdom-env' }),
  setupFilesAfterEnv: ['<rootDir>/src/setup-jest.ts'],
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  // Every test closes what it opens; a timer or socket left behind is reported.
  detectOpenHandles: true,
  testTimeout: 15_000,
};
