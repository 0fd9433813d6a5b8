import { DEVELOPMENT } from '../development';
/** Thrown by `send()` while offline when the offline buffer is disabled (`buffer: false`). */
export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';

  constructor() {
    super(DEVELOPMENT ? 'Not connected and the offline buffer is disabled (buffer: false)' : 'Not connected');
  }
}
