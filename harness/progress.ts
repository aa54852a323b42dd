// Progress for long runs: one live line on a TTY (rewritten in place), plain
// periodic lines otherwise (CI logs), and notes (checkpoints, warnings) that
// always get their own line.

export interface Progress {
  elapsedMs: number;
  totalMs: number;
  phase: string;
  reqPerSec: number;
  requests: number;
  errors: number;
  rss: number;
  heapUsed: number | null;
  handles: number | null;
  fds: number | null;
  faults: number | null;
  nextCheckpointMs: number;
  checkpoints: number;
}

const PLAIN_EVERY_MS = 10_000;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

const mib = (b: number) => `${(b / 1048576).toFixed(0)}M`;

export function formatProgress(p: Progress): string {
  const parts = [
    `${formatDuration(p.elapsedMs)}/${formatDuration(p.totalMs)}`,
    p.phase,
    `${Math.round(p.reqPerSec)} req/s`,
    `${p.requests} req`,
    `${p.errors} err`,
    `rss ${mib(p.rss)}`,
  ];
  if (p.heapUsed !== null) parts.push(`heap ${mib(p.heapUsed)}`);
  if (p.handles !== null) parts.push(`handles ${p.handles}`);
  if (p.fds !== null) parts.push(`fds ${p.fds}`);
  if (p.faults !== null) parts.push(`faults ${p.faults}`);
  parts.push(`cp ${p.checkpoints} (next at ${formatDuration(p.nextCheckpointMs)})`);
  return parts.join(' | ');
}

export class ProgressReporter {
  last: Progress | null = null;
  private lastPlain = 0;
  private liveShown = false;
  private readonly tty: boolean;

  private readonly out: NodeJS.WritableStream & { isTTY?: boolean };

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.out = out;
    this.tty = out.isTTY === true;
  }

  update(p: Progress): void {
    this.last = p;
    const line = formatProgress(p);
    if (this.tty) {
      this.out.write(`\r\x1b[2K${line}`);
      this.liveShown = true;
    } else if (Date.now() - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  note(message: string): void {
    if (this.tty && this.liveShown) this.out.write('\r\x1b[2K');
    this.out.write(`${message}\n`);
    if (this.tty && this.last) this.out.write(formatProgress(this.last));
  }

  finish(): void {
    if (this.tty && this.liveShown) this.out.write('\n');
    this.liveShown = false;
  }
}
