/** The real backups' 64 KiB excerpts (test/fixtures/mssql, see PROVENANCE.md) and their expected headers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../fixtures/mssql');

export interface ExpectedHeader {
  path: string;
  [field: string]: unknown;
}

export const expected: ExpectedHeader[] = JSON.parse(readFileSync(join(FIXTURES, 'expected-headers.json'), 'utf8')).files;

export const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, path)));

export const OLA_FULL = 'OlaMsFilter/complex/Full/test_FULL_20160629_141300.bak';
export const PASSWORD = 'backuppassword/passwd.bak';
export const COMPRESSED = 'compressed/northwind.bak';
