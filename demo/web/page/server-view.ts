import { appendCapped, element, stamp } from './dom';
import { API, type ServerNote } from '../web-protocol';

/** Log lines kept on the page. */
const MAX_LOG_LINES = 200;

/**
 * The server side, as the demo reports it over Server-Sent Events: running or stopped (which
 * also enables the Kill or the Restart button), its log, and the orders it received — those
 * the page had buffered are marked.
 */
export class ServerView {
  private readonly source: EventSource;
  private running: boolean | undefined;

  constructor(
    private readonly elements: {
      readonly status: HTMLElement;
      readonly log: HTMLElement;
      readonly orders: HTMLElement;
      readonly kill: HTMLButtonElement;
      readonly restart: HTMLButtonElement;
    },
    private readonly wasBuffered: (id: number) => boolean,
  ) {
    this.source = new EventSource(API.serverEvents);
    // On every (re)connection the demo replays its status, recent log and orders: start afresh.
    this.source.addEventListener('open', () => {
      this.elements.log.replaceChildren();
      this.elements.orders.replaceChildren(element('li', 'none', 'none yet'));
    });
    this.source.addEventListener('message', (message: MessageEvent<string>) => this.note(JSON.parse(message.data) as ServerNote));
    this.source.addEventListener('error', () => this.show(undefined));
  }

  /** True when the demo says the ws server is running. */
  get isRunning(): boolean {
    return this.running === true;
  }

  private note(note: ServerNote): void {
    switch (note.kind) {
      case 'status':
        this.show(note.running, note.port);
        break;
      case 'log': {
        const line = element('li');
        line.append(element('time', undefined, stamp()), element('span', undefined, note.text));
        appendCapped(this.elements.log, line, MAX_LOG_LINES);
        break;
      }
      case 'order': {
        this.elements.orders.querySelector('.none')?.remove();
        const buffered = this.wasBuffered(note.id);
        const item = element('li', buffered ? 'was-buffered' : undefined, `order ${note.id} · client #${note.client}${buffered ? ' · was buffered' : ''}`);
        item.dataset.order = String(note.id);
        this.elements.orders.append(item);
        break;
      }
    }
  }

  private show(running: boolean | undefined, port?: number): void {
    this.running = running;
    const { status, kill, restart } = this.elements;
    status.dataset.running = running === undefined ? '' : String(running);
    status.textContent = running === undefined ? 'demo unreachable' : running ? `running on :${port}` : 'stopped';
    kill.disabled = running !== true;
    restart.disabled = running !== false;
  }
}
