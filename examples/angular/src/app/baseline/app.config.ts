import type { ApplicationConfig } from '@angular/core';

/** The same app without rx-reconnect: the baseline of the size comparison (ci.sh). */
export const appConfig: ApplicationConfig = { providers: [] };
