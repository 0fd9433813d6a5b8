import { installVirtualTimeTripwire } from './virtual-time-tripwire';

// Every spec's TestScheduler fails a runaway flush with VirtualTimeRunaway instead of hanging
// Jest (jest.config.ts `setupFilesAfterEnv`).
installVirtualTimeTripwire();
