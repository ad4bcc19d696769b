import * as z from 'zod';
import { BucketName, ResourceTag } from '../huawei/drs-schemas';
import { ConfigError } from '../huawei/errors';
import { TopicUrn } from '../huawei/smn';

/**
 * Optional: narrows which objects under the prefix are considered at all (matched against the name
 * after the prefix). Type and order come from each backup's SQL Server header, never from its name.
 */
const FileNamePattern = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
  }
});

const RestoreOptions = z
  .object({
    isCover: z.boolean().default(false),
    isPrecheck: z.boolean().default(true),
    isDeleteBackupFile: z.boolean().default(true),
    isDefaultRestore: z.boolean().default(true),
    dbNames: z.array(z.string().min(1)).optional(),
    resetDbNameMap: z.record(z.string(), z.string().min(1)).optional(),
    msFileStreamStatus: z.string().optional(),
  })
  .strict();

export const ChainConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,20}$/, 'must be 1 to 20 characters: lowercase letters, digits, hyphens'),
    bucket: BucketName,
    prefix: z.string().max(1023).default(''),
    targetInstanceId: z.string().min(1, 'is required'),
    mode: z.enum(['incremental', 'full-only']).default('incremental'),
    fileNamePattern: FileNamePattern.optional(),
    cutoverMarker: z.string().min(1).optional(),
    /** Where DRS-safe copies of badly named backups go; objects there never start a restore of their own. */
    stagingPrefix: z.string().min(1).max(200).regex(/\/$/, 'must end with /').default('restore-pilot-staging/'),
    restore: RestoreOptions.default(RestoreOptions.parse({})),
    enterpriseProjectId: z.string().optional(),
    tags: z.array(ResourceTag).optional(),
    smnTopicUrn: TopicUrn.optional(),
    /** Only these databases of the source are restored (by the name in the backup header); others are ignored. */
    databases: z.array(z.string().min(1)).min(1, 'must name at least one database (leave it out to restore every database)').optional(),
    /** These databases of the source are never restored. */
    excludeDatabases: z.array(z.string().min(1)).optional(),
    stuckAfterMinutes: z.number().int().positive().default(180),
    gapAlertMinutes: z.number().int().positive().default(120),
  })
  .strict()
  .superRefine((chain, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!chain.restore.isDefaultRestore && !chain.restore.dbNames?.length) issue(['restore', 'dbNames'], 'must name the databases when isDefaultRestore is false');
    if (chain.restore.resetDbNameMap && Object.keys(chain.restore.resetDbNameMap).length > 0) {
      if (chain.mode !== 'full-only') issue(['restore', 'resetDbNameMap'], 'is allowed only in a full-only chain (DRS renames only a full backup that is also the last)');
      if (Object.keys(chain.restore.resetDbNameMap).length > 1) issue(['restore', 'resetDbNameMap'], 'may rename a single database only');
      else if (!('' in chain.restore.resetDbNameMap)) issue(['restore', 'resetDbNameMap'], 'must be {"": "new_name"}: DRS reads only the key ""');
    }
    if (chain.cutoverMarker && !chain.cutoverMarker.startsWith(chain.prefix)) issue(['cutoverMarker'], `must be an object under the chain's prefix "${chain.prefix}"`);
  });

export type ChainConfig = z.output<typeof ChainConfig>;
export type Chain = ChainConfig & { pattern?: RegExp };

/** Parses RESTORE_CHAINS; any problem is a ConfigError naming the field, e.g. RESTORE_CHAINS[1].bucket. */
export function parseChains(json: string | undefined): Chain[] {
  if (!json) throw new ConfigError('RESTORE_CHAINS', 'is not set; it must be a JSON array of chains (see README)');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError('RESTORE_CHAINS', `is not valid JSON: ${(error as Error).message}`);
  }
  return parseChainList(raw, 'RESTORE_CHAINS');
}

/**
 * Checks a list of chains already read from JSON; `name` is where the list came from (RESTORE_CHAINS,
 * or `chains` in the configuration document), so every message names the field as the user wrote it.
 */
export function parseChainList(raw: unknown, name: string): Chain[] {
  const parsed = z.array(ChainConfig).min(1, 'must list at least one chain').safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [index, ...rest] = issue.path;
    const field = typeof index === 'number' ? `${name}[${index}]${rest.map((p) => `.${String(p)}`).join('')}` : name;
    throw new ConfigError(field, issue.message);
  }
  const chains = parsed.data;
  chains.forEach((chain, i) => {
    chains.forEach((other, j) => {
      if (j <= i) return;
      if (chain.id === other.id) throw new ConfigError(`${name}[${j}].id`, `"${other.id}" is used by chain ${i} too`);
      if (chain.bucket === other.bucket && (chain.prefix.startsWith(other.prefix) || other.prefix.startsWith(chain.prefix))) {
        throw new ConfigError(`${name}[${j}].prefix`, `overlaps chain "${chain.id}" (bucket ${chain.bucket}, prefix "${chain.prefix}"): a file must belong to one chain`);
      }
    });
  });
  return chains.map((chain) => (chain.fileNamePattern ? { ...chain, pattern: new RegExp(chain.fileNamePattern) } : chain));
}

/**
 * Whether the source restores this database. Names compare without regard to case, as SQL Server's
 * default collations compare them: `erp` and `ERP` cannot both exist on one server.
 */
export function restoresDatabase(chain: Pick<Chain, 'databases' | 'excludeDatabases'>, database: string): boolean {
  const named = (list: string[] | undefined) => list?.some((name) => name.toLowerCase() === database.toLowerCase());
  return (chain.databases === undefined || named(chain.databases) === true) && named(chain.excludeDatabases) !== true;
}

/** The chain whose bucket and prefix hold this object, if any. */
export function chainFor(chains: Chain[], bucket: string, key: string): Chain | undefined {
  return chains.find((chain) => chain.bucket === bucket && key.startsWith(chain.prefix));
}
