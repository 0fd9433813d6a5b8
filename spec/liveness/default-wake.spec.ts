import { defaultWake$ } from '../../lib/liveness/default-wake';

describe('defaultWake$()', () => {
  const globals = globalThis as unknown as Record<string, unknown>;
  afterEach(() => {
    delete globals['document'];
    delete globals['addEventListener'];
    delete globals['removeEventListener'];
    delete globals['dispatchEvent'];
  });

  it('is undefined in Node (no window, no document)', () => {
    expect(defaultWake$()).toBeUndefined();
  });

  it('in a browser, emits on `online` and when the page becomes visible, not when it is hidden', () => {
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    globals['addEventListener'] = window.addEventListener.bind(window);
    globals['removeEventListener'] = window.removeEventListener.bind(window);
    globals['dispatchEvent'] = window.dispatchEvent.bind(window);
    globals['document'] = document;
    const wake$ = defaultWake$();
    expect(wake$).toBeDefined();
    let wakes = 0;
    const subscription = wake$!.subscribe(() => wakes++);
    window.dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange')); // hidden: not a wake-up
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    subscription.unsubscribe();
    window.dispatchEvent(new Event('online')); // listeners removed
    expect(wakes).toBe(2);
  });
});
