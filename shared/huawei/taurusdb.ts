import * as z from 'zod';
import type { Transport } from './transport';
import { parseRequest, parseResponse, segment, toQuery } from './validate';

/** TaurusDB v3 backups, as in taurusdb-v3-list-backups.txt. */

/** `yyyy-mm-ddThh:mm:ss` and an offset such as +0800 (or Z). */
const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{4})$/;

/** Milliseconds since the epoch of a TaurusDB time such as 2018-08-06T12:41:14+0800. */
export function parseTaurusTime(value: string): number {
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(iso);
}

const TaurusTime = z
  .string()
  .regex(OFFSET_TIME, 'must look like 2018-08-06T10:41:14+0800')
  .refine((value) => !Number.isNaN(parseTaurusTime(value)), 'is not a valid date');

export const ListBackupsQuery = z
  .object({
    instance_id: z.string().min(1, 'is required'),
    backup_id: z.string().min(1).optional(),
    backup_type: z.enum(['auto', 'manual', 'fragment', 'incremental']).optional(),
    status: z.enum(['BUILDING', 'COMPLETED', 'FAILED']).optional(),
    offset: z.number().int().min(0, 'must not be negative').optional(),
    limit: z.number().int().min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').optional(),
    begin_time: TaurusTime.optional(),
    end_time: TaurusTime.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.begin_time && !query.end_time) ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'is required when begin_time is set' });
    if (query.end_time && !query.begin_time) ctx.addIssue({ code: 'custom', path: ['begin_time'], message: 'is required when end_time is set' });
    if (query.begin_time && query.end_time && parseTaurusTime(query.end_time) <= parseTaurusTime(query.begin_time)) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'must be later than begin_time' });
    }
  });
export type ListBackupsQuery = z.input<typeof ListBackupsQuery>;

/**
 * Backup statuses: the reference page lists BUILDING, COMPLETED, FAILED and DELETING; the service
 * also answers AVAILABLE for a finished backup (SDK models). Other values are kept as sent.
 */
export const TAURUS_BACKUP_STATUSES = ['BUILDING', 'COMPLETED', 'AVAILABLE', 'FAILED', 'DELETING'] as const;

export const TaurusBackup = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  type: z.string().nullish(),
  /** In MB (the v3 page says KB; the service and its SDK models use MB), and not always whole. */
  size: z.number().nullish(),
  status: z.string().min(1),
  /** "0", "1" or "2", present when first-level backups are enabled: a string, not a number. */
  backup_level: z.string().nullish(),
  begin_time: z.string().nullish(),
  end_time: z.string().nullish(),
  datastore: z.looseObject({ type: z.string().nullish(), version: z.string().nullish() }).nullish(),
  instance_id: z.string().nullish(),
  associated_with_ddm: z.boolean().nullish(),
});
export type TaurusBackup = z.infer<typeof TaurusBackup>;

export const ListBackupsResponse = z.looseObject({
  backups: z.array(TaurusBackup),
  total_count: z.number().int(),
});

const WALK_PAGE_SIZE = 100;

export class TaurusDbClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  async listBackups(query: ListBackupsQuery) {
    const operation = 'taurusdb.listBackups';
    const valid = parseRequest(operation, ListBackupsQuery, query);
    const response = await this.transport.send({
      operation,
      service: 'taurusdb',
      method: 'GET',
      path: `/v3/${segment(this.projectId)}/backups`,
      query: toQuery(valid),
      retry: true,
    });
    return parseResponse(operation, ListBackupsResponse, response.body, response.requestId);
  }

  /** Every backup matching the filters, walking offset until total_count backups were seen. */
  async listAllBackups(query: Omit<ListBackupsQuery, 'limit' | 'offset'>): Promise<TaurusBackup[]> {
    const backups: TaurusBackup[] = [];
    for (let offset = 0; ; offset += WALK_PAGE_SIZE) {
      const page = await this.listBackups({ ...query, limit: WALK_PAGE_SIZE, offset });
      backups.push(...page.backups);
      if (page.backups.length === 0 || offset + page.backups.length >= page.total_count) return backups;
    }
  }
}
