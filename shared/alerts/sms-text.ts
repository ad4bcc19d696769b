/**
 * The text an SMS subscriber gets. SMN refuses SMS text containing [ ] or 【 】 (SQL Server's
 * "[Microsoft][ODBC Driver 17 for SQL Server]…" errors and our own "[restore-pilot]" subject would
 * both trip it) and cuts it at 490 characters, so a phone gets its own short page: what broke and
 * what to do, the full page going to email.
 */

export const SMS_MAX_CHARS = 490;

export interface SmsParts {
  /** What broke, in one line (the page title). */
  title: string;
  /** The facts, shortest first to go: "what happened", then an error text. */
  facts: string[];
  /** What to do. */
  nextStep: string;
}

const BRACKETS: Record<string, string> = { '[': '(', ']': ')', '【': '(', '】': ')' };

/** Brackets become parentheses; line breaks and runs of spaces become one space. */
export function smsSafe(text: string): string {
  return text
    .replace(/[[\]【】]/g, (c) => BRACKETS[c]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` characters (code points: SMS counts characters, not bytes), cut after a whole word. */
export function cutAtWord(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max < 4) return '';
  const head = chars.slice(0, max - 3).join('');
  const space = head.lastIndexOf(' ');
  // The head already ends a word when a space follows it; a single word longer than half the room
  // is cut inside it rather than dropped whole.
  const cut = chars[max - 3] === ' ' || space < head.length / 2 ? head : head.slice(0, space);
  return `${cut.replace(/[\s,;:.-]+$/, '')}...`;
}

const length = (text: string) => Array.from(text).length;

/** Room kept for the title and for the next step, so long facts (an error text) cannot push them out. */
const TITLE_MAX_CHARS = 160;
const NEXT_STEP_MAX_CHARS = 180;

/**
 * `{title}: {facts…} Next: {nextStep}` within SMS_MAX_CHARS. The title and the next step are kept
 * first (cut only past their own room); the facts share what remains, in order.
 */
export function smsText(parts: SmsParts): string {
  const title = cutAtWord(smsSafe(parts.title), TITLE_MAX_CHARS);
  const nextPart = cutAtWord(`Next: ${smsSafe(parts.nextStep)}`, NEXT_STEP_MAX_CHARS);
  // Everything around the facts: "{title}:" + " " … " " + nextPart; each fact adds itself and a space.
  let room = SMS_MAX_CHARS - length(title) - 1 - length(nextPart) - 2;
  const facts: string[] = [];
  for (const fact of parts.facts.map(smsSafe).filter(Boolean)) {
    if (room < 12) break;
    const piece = cutAtWord(fact, room);
    if (!piece) break;
    facts.push(piece);
    room -= length(piece) + 1;
  }
  return [`${title}:`, ...facts, nextPart].join(' ');
}
