import type { Arrival } from './soak-server';

/** One client stream's sends, as the client saw them. */
export interface StreamRecord {
  /** Seqs `send()` accepted, each with the number of links this stream had lost before it. */
  readonly accepted: Array<{ readonly seq: number; readonly lossesBefore: number }>;
  /** Seqs `send()` refused by throwing (never accepted, so never owed). */
  readonly refused: Set<number>;
  /** Seqs handed back in `Closed.unsent`. */
  readonly unsent: Set<number>;
  /** Links of this stream that were up and then lost (for any reason but the final close). */
  linkLosses: number;
}

/** What the ledger found, summed over every stream. */
export interface LedgerFigures {
  accepted: number;
  delivered: number;
  returnedUnsent: number;
  /** Delivered more than once. */
  duplicated: number;
  /** Delivered after a send accepted later. */
  reordered: number;
  /** At-most-once loss: written to a link that then died, lost at the tail of that link. */
  lostOnDeadLink: number;
  /** Lost with no link loss to explain it, or in the middle of a link that went on. */
  lostUnexplained: number;
  /** Handed back in `unsent` and delivered as well. */
  unsentButDelivered: number;
  /** Delivered although `send()` threw for it, or never sent at all. */
  phantom: number;
  /** The first unexplained losses, in detail (at most 20). */
  readonly unexplained: UnexplainedLoss[];
}

/** One loss the ledger cannot put down to a dead link, with what surrounds it. */
export interface UnexplainedLoss {
  readonly stream: number;
  readonly seq: number;
  /** Links of the stream lost before the send was accepted, and in all. */
  readonly lossesBefore: number;
  readonly linkLosses: number;
  /** The nearest delivered sends before and after it, with the link each came on. */
  readonly before: { readonly seq: number; readonly link: number } | undefined;
  readonly after: { readonly seq: number; readonly link: number } | undefined;
}

/**
 * Compares what each stream's client accepted with what the server got. A loss counts as
 * at-most-once loss on a dead link only when a link of that stream was lost after the send
 * was accepted and the loss sits at the end of what one link carried: the messages delivered
 * just before and just after it (in send order) came on different links. Anything else is a
 * loss the library cannot explain.
 */
export function reconcile(streams: ReadonlyMap<number, StreamRecord>, arrivals: ReadonlyMap<number, readonly Arrival[]>): LedgerFigures {
  const figures: LedgerFigures = {
    accepted: 0,
    delivered: 0,
    returnedUnsent: 0,
    duplicated: 0,
    reordered: 0,
    lostOnDeadLink: 0,
    lostUnexplained: 0,
    unsentButDelivered: 0,
    phantom: 0,
    unexplained: [],
  };
  for (const [id, stream] of streams) {
    const got = arrivals.get(id) ?? [];
    const linkOf = new Map<number, number>();
    let highest = -1;
    for (const { seq, link } of got) {
      if (linkOf.has(seq)) {
        figures.duplicated++;
        continue;
      }
      linkOf.set(seq, link);
      if (seq < highest) figures.reordered++;
      highest = Math.max(highest, seq);
    }
    const acceptedSeqs = new Set(stream.accepted.map((a) => a.seq));
    for (const seq of linkOf.keys()) if (!acceptedSeqs.has(seq)) figures.phantom++;
    figures.accepted += stream.accepted.length;
    figures.returnedUnsent += stream.unsent.size;
    const order = stream.accepted.map((a) => a.seq).sort((a, b) => a - b);
    const received = order.filter((seq) => linkOf.has(seq));
    figures.delivered += received.length;
    for (const { seq, lossesBefore } of stream.accepted) {
      const delivered = linkOf.has(seq);
      if (stream.unsent.has(seq)) {
        if (delivered) figures.unsentButDelivered++;
        continue;
      }
      if (delivered) continue;
      const before = nearest(received, seq, -1);
      const after = nearest(received, seq, 1);
      const sameLinkAround = before !== undefined && after !== undefined && linkOf.get(before) === linkOf.get(after);
      if (stream.linkLosses > lossesBefore && !sameLinkAround) figures.lostOnDeadLink++;
      else {
        figures.lostUnexplained++;
        if (figures.unexplained.length < 20) {
          const around = (at: number | undefined) => (at === undefined ? undefined : { seq: at, link: linkOf.get(at)! });
          figures.unexplained.push({ stream: id, seq, lossesBefore, linkLosses: stream.linkLosses, before: around(before), after: around(after) });
        }
      }
    }
  }
  return figures;
}

/** The received seq nearest to `seq` on one side (`-1` below, `1` above), by binary search. */
function nearest(sorted: readonly number[], seq: number, side: -1 | 1): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return side === -1 ? sorted[lo - 1] : sorted[lo];
}
