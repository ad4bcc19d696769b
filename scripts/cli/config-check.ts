import { readFileSync } from 'node:fs';
import { validateDocument } from '../../shared/config/document';
import { ConfigError } from '../../shared/huawei/errors';
import type { Settings } from '../../shared/settings';

/**
 * `restore-pilot config check FILE`: the document through the functions' own validation, offline.
 * Exit status 0 valid, 1 invalid (the field named as written in FILE), 2 FILE unreadable.
 */
export function configCheck(file: string, env: Settings, out: (text: string) => void, fail: (text: string) => void): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  try {
    const { chains, settings } = validateDocument(text, env, file);
    const own = Object.keys(settings).filter((name) => env[name] === undefined);
    out(`${file}: valid: ${chains.length} chain(s) (${chains.map((c) => c.id).join(', ')})${own.length ? `; settings: ${own.join(', ')}` : ''}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(`${file}: ${error.field}: ${error.reason}`);
    return 1;
  }
}
