import { API, type PageNote } from '../web-protocol';

let chain: Promise<unknown> = Promise.resolve();

/**
 * Tells the demo what the page saw or did, so its terminal shows it too (and `--once` knows
 * when the page has been driven). Posted one after another: the demo receives them in order.
 * A note that cannot be delivered is dropped: it is narration, not data.
 */
export function postNote(note: PageNote): void {
  chain = chain
    .then(() => fetch(API.pageNotes, { method: 'POST', body: JSON.stringify(note), keepalive: true }))
    .catch(() => undefined);
}
