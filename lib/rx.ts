/**
 * The rxjs values the connection's own files use, imported here once. With rxjs external, a
 * bundler keeps every file's `import { … } from 'rxjs'` as a statement of its own in an app's
 * bundle; importing them from here makes those one statement. Types still come from `rxjs`.
 *
 * @internal
 */
export { asyncScheduler, BehaviorSubject, EMPTY, filter, fromEvent, merge, Observable, retry, Subject, switchMap, take, timer } from 'rxjs';
