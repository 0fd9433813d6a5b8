// Angular 22 apps are zoneless by default; so is the test environment.
import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

setupZonelessTestEnv();
