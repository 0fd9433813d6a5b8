import { performance } from 'node:perf_hooks';

/** ANSI colours the timeline uses. */
export type Colour = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'grey' | 'bold';

const ANSI: Record<Colour, string> = {
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  grey: '\x1b[90m',
  bold: '\x1b[1m',
};
const RESET = '\x1b[0m';

/** Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org). */
export function colourWanted(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/**
 * Prints one line per happening, stamped with the time since the timeline started
 * (`+1.204s`) and a source tag, coloured where {@link colourWanted}.
 */
export class Timeline {
  private readonly startedAt = performance.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly colour = colourWanted(stream),
  ) {}

  /** Milliseconds since the timeline started. */
  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  /** A stamped line: `+1.204s  <tag> <text>`. */
  line(tag: string, text: string, colour?: Colour): void {
    const stamp = `+${(this.elapsed() / 1000).toFixed(3)}s`;
    this.write(`${this.paint(stamp, 'grey')}  ${this.paint(`${tag.padEnd(8)} ${text}`, colour)}`);
  }

  /** An unstamped line (headings, the summary). */
  plain(text = '', colour?: Colour): void {
    this.write(this.paint(text, colour));
  }

  paint(text: string, colour: Colour | undefined): string {
    return this.colour && colour ? `${ANSI[colour]}${text}${RESET}` : text;
  }

  private write(text: string): void {
    this.stream.write(`${text}\n`);
  }
}
