import { of, toArray, firstValueFrom } from 'rxjs';
import { ofType, type ConnectionEvent, type ReconnectingEvent } from '../lib';
import { nextState } from '../lib/state';

describe('ofType()', () => {
  it('keeps only the given types, narrowed to them', async () => {
    const events: ConnectionEvent[] = [
      { type: 'Connecting', attempt: 0, url: 'ws://x' },
      { type: 'Reconnecting', attempt: 1, delay: 100 },
      { type: 'SubscriptionsRestored', count: 2 },
      { type: 'Reconnecting', attempt: 2, delay: 200 },
    ];
    const delays = await firstValueFrom(of(...events).pipe(ofType('Reconnecting'), toArray()));
    // `delay` exists only on Reconnecting: this compiles because ofType narrows.
    const narrowed: ReconnectingEvent[] = delays;
    expect(narrowed.map((e) => e.delay)).toEqual([100, 200]);
    const two = await firstValueFrom(of(...events).pipe(ofType('Connecting', 'SubscriptionsRestored'), toArray()));
    expect(two.map((e) => e.type)).toEqual(['Connecting', 'SubscriptionsRestored']);
  });
});

describe('nextState()', () => {
  it.each<[string, ConnectionEvent, string]>([
    ['connecting', { type: 'Connecting', attempt: 0, url: 'u' }, 'connecting'],
    ['connecting', { type: 'Connected', url: 'u' }, 'connected'],
    ['connected', { type: 'Disconnected', reason: 'error', permanent: false, attempt: 0, maxAttempts: 3 }, 'reconnecting'],
    ['connected', { type: 'Disconnected', reason: 'manual', permanent: true, attempt: 0, maxAttempts: 3 }, 'connected'],
    ['reconnecting', { type: 'CircuitBreakerOpen', trips: 1, retryIn: 10 }, 'circuit-open'],
    ['circuit-open', { type: 'Reconnecting', attempt: 6, delay: 30_000 }, 'circuit-open'],
    ['circuit-open', { type: 'Connecting', attempt: 6, url: 'u' }, 'reconnecting'],
    ['reconnecting', { type: 'Reconnected', attempt: 2, url: 'u', downtime: 5 }, 'connected'],
    ['connected', { type: 'InvalidMessage', error: new Error('x'), data: 'x' }, 'connected'],
    ['reconnecting', { type: 'Closed', reason: 'stopped', unsent: [] }, 'closed'],
  ])('%s + %o → %s', (current, event, expected) => {
    expect(nextState(current as never, event)).toBe(expected);
  });
});
