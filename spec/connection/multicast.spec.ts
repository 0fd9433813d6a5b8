import { take } from 'rxjs';
import { Multicast } from '../../lib/connection/multicast';

describe('Multicast (the subscribers of messages$)', () => {
  it('delivers each value to the subscribers it had when the delivery began', () => {
    const multicast = new Multicast<number>();
    const late: number[] = [];
    const first: number[] = [];
    multicast.subscribe((value) => {
      first.push(value);
      if (value === 1) multicast.subscribe((v) => late.push(v));
    });
    multicast.emit(1);
    multicast.emit(2);
    expect(first).toEqual([1, 2]);
    expect(late).toEqual([2]);
  });

  it('a subscriber that leaves during a delivery gets nothing more; the others get that value', () => {
    const multicast = new Multicast<number>();
    const a: number[] = [];
    const b: number[] = [];
    multicast.pipe(take(1)).subscribe((value) => a.push(value));
    multicast.subscribe((value) => b.push(value));
    multicast.emit(1);
    multicast.emit(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('ends once: completes (or errors) every subscriber, and later subscribers at once', () => {
    const completed = new Multicast<number>();
    const ends: string[] = [];
    completed.subscribe({ complete: () => ends.push('complete 1') });
    completed.end();
    completed.end(new Error('ignored: already ended'));
    completed.subscribe({ complete: () => ends.push('complete 2'), error: () => ends.push('error') });
    completed.emit(1); // nobody left
    expect(ends).toEqual(['complete 1', 'complete 2']);

    const failed = new Multicast<number>();
    const cause = new Error('closed');
    const errors: unknown[] = [];
    failed.subscribe({ error: (e: unknown) => errors.push(e) });
    failed.end(cause);
    failed.subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([cause, cause]);
  });
});
