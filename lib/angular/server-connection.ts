import { BehaviorSubject, Observable, Subject } from 'rxjs';
import type { ChannelSpec } from '../channels/channel-spec';
import type { Connection } from '../connection/connection';
import { ConnectionClosedError } from '../errors/connection-closed-error';
import type { ConnectionEvent } from '../events';
import type { ConnectionState } from '../state';

/**
 * The connection {@link provideConnection} gives on the server (server-side rendering), where no
 * socket is opened unless `connectOnServer` says so: it stays `'idle'`, as a `lazy` connection
 * that never wakes. `events$` emits nothing until `Closed`, `messages$` and every channel emit
 * nothing and complete when it closes, `send()` keeps what it is given and `Closed.unsent`
 * returns it (the rendered page has no link to send it on), `sendNow()` is `false`, and
 * `retry()`, `reconnect()` and `stopRetry()` do nothing. It has no timer: a render never waits
 * for it. The injector's `DestroyRef` closes it like any other.
 */
export class ServerConnection<In, Out> implements Connection<In, Out> {
  private readonly current = new BehaviorSubject<ConnectionState>('idle');
  private readonly lifecycle = new Subject<ConnectionEvent<Out>>();
  private readonly unsent: Out[] = [];

  /** Nothing until `Closed`, then completes. */
  readonly events$ = this.lifecycle.asObservable();
  /** `'idle'`, then `'closed'` when it is closed, then completes. */
  readonly state$ = this.current.asObservable();
  /** Never emits; completes when it is closed. */
  readonly messages$ = new Observable<In>((subscriber) => this.current.subscribe({ complete: () => subscriber.complete() }));

  /** `'idle'` until closed. */
  get state(): ConnectionState {
    return this.current.value;
  }

  /** Messages `send()` kept. */
  get buffered(): number {
    return this.unsent.length;
  }

  /** Never emits; completes when it is closed. */
  channel(_spec: ChannelSpec<In, Out>): Observable<In> {
    return this.messages$;
  }

  /** Keeps `message` for `Closed.unsent`; throws `ConnectionClosedError` once closed. */
  send(message: Out): void {
    this.throwIfClosed();
    this.unsent.push(message);
  }

  /** `false`: there is no link. */
  sendNow(_message: Out): boolean {
    this.throwIfClosed();
    return false;
  }

  /** Does nothing: the server never connects. */
  reconnect(): void {
    this.throwIfClosed();
  }

  /** Does nothing: the server never connects. */
  retry(): void {
    this.throwIfClosed();
  }

  /** Does nothing: there is no outage to stop. */
  stopRetry(): void {}

  /** `Closed{reason: 'manual', unsent}`, state `'closed'`; idempotent. */
  close(): void {
    if (this.current.value === 'closed') return;
    this.current.next('closed');
    this.lifecycle.next({ type: 'Closed', reason: 'manual', unsent: this.unsent.splice(0) });
    this.lifecycle.complete();
    this.current.complete();
  }

  private throwIfClosed(): void {
    if (this.current.value === 'closed') throw new ConnectionClosedError('manual');
  }
}
