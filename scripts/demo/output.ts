import type { Chain } from '../../shared/chains/config';
import type { ChainState, FileStatus } from '../../shared/chains/state';
import { renderChain, type PaintMark } from '../../shared/chains/view';

export interface Page {
  topicUrn: string;
  subject?: string;
  message: string;
}

const subjectOf = (page: Page) => page.subject ?? '(no subject)';

/** How the demo shows what happens; main.ts calls it, never writes to stdout itself. */
export interface DemoOutput {
  upload(name: string, note: string, status: string, reason: string): void;
  page(page: Page): void;
  /** After every tick, with the chain as the store now holds it. */
  state(state: ChainState, now: number): void;
  done(state: ChainState, now: number, summary: string): void;
}

const write = (text: string) => process.stdout.write(`${text}\n`);

/**
 * Not a terminal (a pipe, a file, a CI log): an append-only log, one line per upload, job change and
 * page, then the final state once, compactly. Job changes come from comparing each file's status tick to tick.
 */
export function eventLog(chain: Chain, header: string): DemoOutput {
  const name = (key: string) => key.slice(chain.prefix.length);
  const seen = new Map<string, FileStatus>();
  write(header);
  return {
    upload(key, note, status, reason) {
      // The upload line already says a job was submitted; the log should not say it twice.
      if (status === 'submitted') seen.set(key, 'running');
      write(`upload    ${name(key)}${note ? ` (${note})` : ''}: ${status} — ${reason}`);
    },
    page(page) {
      write(`page      ${subjectOf(page)}`);
    },
    state(state) {
      for (const file of Object.values(state.files)) {
        const before = seen.get(file.key);
        seen.set(file.key, file.status);
        if (file.status === before) continue;
        const job = file.jobId ? ` (job ${file.jobId.slice(0, 8)})` : '';
        if (file.status === 'running') write(`submitted ${name(file.key)}${job}`);
        else if (file.status === 'succeeded') write(`restored  ${name(file.key)}${job}${file.isLastBackup ? ', the last backup' : ''}`);
        else if (file.status === 'failed') write(`failed    ${name(file.key)}${job}: ${file.error ?? file.drsStatus ?? 'DRS job failed'}`);
      }
    },
    done(state, now, summary) {
      // The log above already named every restore: the final state keeps to where each database stands and what was not restored.
      write(`\nfinal state (restored files are listed above):\n${renderChain(chain, state, now, undefined, undefined, (file) => file.status !== 'succeeded')}\n\n${summary}`);
    },
  };
}

const COLOURS: Record<FileStatus, number> = { succeeded: 32, running: 36, submitting: 36, waiting: 33, failed: 31, refused: 31, superseded: 2, skipped: 2, 'not-needed': 2 };
const PAGES_SHOWN = 3;

/**
 * A terminal: the live view redrawn when it changes, with a panel of the latest pages under it so a
 * page stays readable after the next redraw. Colour only when allowed (`--no-color`, NO_COLOR).
 */
export function liveView(chain: Chain, header: string, colour: boolean): DemoOutput {
  const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const paintMark: PaintMark = (status, mark) => paint(COLOURS[status], mark);
  const events: string[] = [];
  const pages: Page[] = [];
  let last = '';
  const draw = (state: ChainState, now: number) => {
    const box = (page: Page) => {
      const resolved = subjectOf(page).includes('RESOLVED');
      return [`┌─ SMN page to ${page.topicUrn}`, `│ ${paint(resolved ? 32 : 31, subjectOf(page))}`, ...page.message.split('\n').map((l) => `│ ${l}`), '└─'].join('\n');
    };
    const panel = pages.length === 0 ? ['pages: none yet'] : [`pages (${pages.length}${pages.length > PAGES_SHOWN ? `, the latest ${PAGES_SHOWN}` : ''}):`, ...pages.slice(-PAGES_SHOWN).map(box)];
    const screen = [header, '', renderChain(chain, state, now, paintMark), '', 'recent events:', ...events.slice(-8).map((e) => `  ${e}`), '', ...panel].join('\n');
    if (screen === last) return;
    last = screen;
    process.stdout.write(`\x1b[2J\x1b[H${screen}\n`);
  };
  return {
    upload(key, note, status, reason) {
      events.push(`upload ${key.slice(chain.prefix.length)}${note ? ` (${note})` : ''}: ${status} — ${reason}`);
    },
    page(page) {
      events.push(`SMN page: ${subjectOf(page)}`);
      pages.push(page);
    },
    state: draw,
    done(state, now, summary) {
      draw(state, now);
      write(`\n${summary}`);
    },
  };
}
