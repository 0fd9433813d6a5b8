import type { Config } from 'jest';
import base from './jest.config';

/** `npm run test:browser`: the library in headless Chromium (Debian's package). */
const config: Config = {
  ...base,
  testMatch: ['**/spec/browser/**/*.browser.ts'],
  testTimeout: 30_000,
};

export default config;
