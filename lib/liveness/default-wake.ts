import { filter, fromEvent, merge } from '../rx';
import type { Observable } from 'rxjs';

interface BrowserGlobals {
  addEventListener?: unknown;
  document?: { visibilityState?: string; addEventListener?: unknown };
}

/**
 * The default wake-up signal: in a browser, the `online` event and the page becoming visible
 * again (a laptop lid opened, a tab brought back); `undefined` elsewhere (Node has neither).
 */
export function defaultWake$(): Observable<unknown> | undefined {
  const globals = globalThis as unknown as BrowserGlobals & EventTarget;
  const document = globals.document;
  if (typeof globals.addEventListener !== 'function' || typeof document?.addEventListener !== 'function') {
    return undefined;
  }
  return merge(
    fromEvent(globals, 'online'),
    fromEvent(document as unknown as EventTarget, 'visibilitychange').pipe(
      filter(() => document.visibilityState === 'visible'),
    ),
  );
}
