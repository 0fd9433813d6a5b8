import { BehaviorSubject, Observable, Subject } from '../rx';
import type { ConnectionEvent } from '../events';
import { nextState, type ConnectionState } from '../state';
import type { Serial } from './serial';

/**
 * `events$` and `state$` of one connection, both fed by the connection's {@link Serial}
 * queue: each event reaches every subscriber before the next, and `state$` emits the state an
 * event causes (when it changes) just before the event reaches `events$`, so `state$` is
 * always the fold of `events$`. Their Subjects are made on first subscription: a connection
 * nobody watches carries none.
 *
 * @internal
 */
export class Lifecycle<Out> {
  private eventsObservable: Observable<ConnectionEvent<Out>> | undefined = undefined;
  private stateObservable: Observable<ConnectionState> | undefined = undefined;
  private events: Subject<ConnectionEvent<Out>> | undefined = undefined;
  /** The state as a replaying subject (rx-stomp's `connectionState$` shape), made on first use. */
  private states: BehaviorSubject<ConnectionState> | undefined = undefined;
  /** The fold of every event delivered so far: what `state$` last emitted (`'closed'` once `Closed` has been delivered). */
  current: ConnectionState;

  constructor(
    private readonly serial: Serial,
    initial: ConnectionState,
  ) {
    this.current = initial;
  }

  /** Every event, from the moment of subscription; completes after `Closed`. Made on first use. */
  get events$(): Observable<ConnectionEvent<Out>> {
    return (this.eventsObservable ??= new Observable<ConnectionEvent<Out>>((subscriber) => {
      // The subscriber itself subscribes (as operators do): leaving unsubscribes it from the Subject.
      if (this.current === 'closed') subscriber.complete();
      else (this.events ??= new Subject()).subscribe(subscriber);
    }));
  }

  /** The current state, then every change; after `Closed`, `'closed'` and completion. Made on first use. */
  get state$(): Observable<ConnectionState> {
    return (this.stateObservable ??= new Observable<ConnectionState>((subscriber) => {
      // Inside the queue: a handler that acts on the replayed state cannot slip an event in
      // before this subscriber is registered for the next one.
      this.serial.run(() => {
        if (this.current === 'closed') {
          subscriber.next(this.current);
          subscriber.complete();
        } else (this.states ??= new BehaviorSubject<ConnectionState>(this.current)).subscribe(subscriber);
      });
    }));
  }

  /** Queues an event; it is delivered after everything queued before it. */
  emit(event: ConnectionEvent<Out>): void {
    this.serial.deliver(() => this.deliver(event));
  }

  private deliver(event: ConnectionEvent<Out>): void {
    const state = nextState(this.current, event);
    if (state !== this.current) {
      this.current = state;
      this.states?.next(state);
    }
    this.events?.next(event);
    if (event.type === 'Closed') {
      this.states?.complete();
      this.events?.complete();
    }
  }
}
