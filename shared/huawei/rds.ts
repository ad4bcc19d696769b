import * as z from 'zod';
import type { Transport } from './transport';
import { parseRequest, parseResponse, segment, toQuery } from './validate';

/**
 * RDS v3 "Querying DB Instances": `GET /v3/{project_id}/instances?id={id}` on
 * `rds.{region}.myhuaweicloud.com`.
 * Spec: https://support.huaweicloud.com/intl/en-us/api-rds/rds_01_0004.html (API v3, DB Instance
 * Management), and the same operation as `ListInstances` in Huawei's OpenAPI definitions
 * (https://docs.rs/crate/huawei-cloud-api-definitions-RDS/latest/source/src/ListInstances.json).
 *
 * What this client relies on:
 * - query `id`: an exact match on the instance id, except that an id starting with `*` asks for a
 *   fuzzy match on what follows (the asterisk is reserved). So an id with a leading `*` is refused
 *   here, before sending: a preflight must read one instance, never "the ones that look like it".
 * - response `instances[]` (empty when nothing matches: an unknown id is not a 404) and `total_count`;
 * - per instance `id`, `name`, `status` (ACTIVE, BUILD, FAILED, … kept as sent), and
 *   `datastore.type` (`MySQL`, `PostgreSQL`, `SQLServer`, `MariaDB`; the page says case-insensitive)
 *   with `datastore.version`, for SQL Server the year then the edition: `2014_SE`, `2017_EE`,
 *   `2019_SE`, `2022_WEB`, `2008_R2_EE`, ….
 * IAM action: `rds:instance:list` (https://support.huaweicloud.com/intl/en-us/api-rds/rds_10_0007.html).
 */

export const ListInstancesQuery = z.object({
  id: z
    .string()
    .min(1, 'is required')
    .refine((id) => !id.startsWith('*'), 'must not start with * (RDS reads that as a fuzzy match)'),
});
export type ListInstancesQuery = z.input<typeof ListInstancesQuery>;

export const RdsDatastore = z.looseObject({
  /** `SQLServer` for RDS for SQL Server; compare without case, as the page allows. */
  type: z.string().min(1),
  /** For SQL Server: `2019_SE`, `2017_EE`, `2022_WEB`, `2008_R2_EE`, … (see sqlServerMajorOf). */
  version: z.string().min(1),
  /** Only for MySQL and PostgreSQL. */
  complete_version: z.string().nullish(),
});

export const RdsInstance = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  /** ACTIVE when usable; BUILD, FAILED, FROZEN, MODIFYING, REBOOTING, RESTORING, … kept as sent. */
  status: z.string().min(1),
  /** Single, Ha, Replica, … */
  type: z.string().nullish(),
  datastore: RdsDatastore,
});
export type RdsInstance = z.infer<typeof RdsInstance>;

export const ListInstancesResponse = z.looseObject({
  instances: z.array(RdsInstance),
  total_count: z.number().int().nullish(),
});

/** Whether RDS says this instance runs Microsoft SQL Server. */
export function isSqlServer(instance: RdsInstance): boolean {
  return instance.datastore.type.toLowerCase() === 'sqlserver';
}

/**
 * The SQL Server major version (the first number of SERVERPROPERTY('ProductVersion'), and the
 * `major` a backup header carries) of each release RDS names by its year. From Microsoft's table
 * "How do I map the product versions to product names?" (KB 321185,
 * https://learn.microsoft.com/en-us/troubleshoot/sql/releases/faq-acronyms): 16.0 SQL Server 2022,
 * 15.0 2019, 14.0 2017, 13.0 2016, 12.0 2014, 11.0 2012, 10.50 2008 R2 (major 10).
 * Plain 2008 (10.00) is left out: RDS offers only 2008 R2, and "2008_…" alone is not a name it uses.
 */
const SQL_SERVER_MAJOR_BY_RELEASE: ReadonlyArray<readonly [RegExp, number]> = [
  [/^2008_R2(?:_|$)/i, 10],
  [/^2012(?:_|$)/, 11],
  [/^2014(?:_|$)/, 12],
  [/^2016(?:_|$)/, 13],
  [/^2017(?:_|$)/, 14],
  [/^2019(?:_|$)/, 15],
  [/^2022(?:_|$)/, 16],
];

/**
 * The major version of an RDS for SQL Server `datastore.version` such as `2019_SE` (→ 15) or
 * `2008_R2_EE` (→ 10); undefined for anything not in the table (a newer release, another engine's
 * version, a malformed value). Never a guess: the caller decides what an unknown version means.
 */
export function sqlServerMajorOf(datastoreVersion: string): number | undefined {
  const version = datastoreVersion.trim();
  for (const [release, major] of SQL_SERVER_MAJOR_BY_RELEASE) if (release.test(version)) return major;
  return undefined;
}

export class RdsClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  /** The instance with this id, or undefined when RDS lists none (RDS answers an unknown id with an empty list). */
  async getInstance(instanceId: string): Promise<RdsInstance | undefined> {
    const operation = 'rds.listInstances';
    const query = parseRequest(operation, ListInstancesQuery, { id: instanceId });
    const response = await this.transport.send({
      operation,
      service: 'rds',
      method: 'GET',
      path: `/v3/${segment(this.projectId)}/instances`,
      query: toQuery(query),
      retry: true,
    });
    const { instances } = parseResponse(operation, ListInstancesResponse, response.body, response.requestId);
    // The id filter is exact; checking again keeps a surprise in the answer from naming another instance.
    return instances.find((instance) => instance.id === instanceId);
  }
}
