import { error, intParam, ok, type Route } from './route';

/**
 * RDS v3 "Querying DB Instances", `GET /v3/{project_id}/instances`, read from
 * https://support.huaweicloud.com/intl/en-us/api-rds/rds_01_0004.html (and Huawei's OpenAPI
 * definition `ListInstances`). What this stand-in answers, as that page describes it:
 * - filters `id` and `name`: exact, or fuzzy on what follows a leading `*` (a value of only
 *   asterisks is refused); `datastore_type` (MySQL, PostgreSQL, SQLServer, MariaDB); `type`;
 *   `offset` (≥ 0) and `limit` (1–100, default 100);
 * - `{ instances: [...], total_count }`; an id nobody has gives an empty list, not a 404;
 * - each instance with `id`, `name`, `status`, `type`, `datastore: { type, version }` and some of the
 *   other documented fields; SQL Server versions are named year then edition: `2019_SE`, `2017_EE`,
 *   `2022_WEB`, `2008_R2_EE`.
 * A bad parameter is 400 `DBS.200001` ("Parameter error", RDS's error code table, rds_10_0201).
 */

export interface RdsInstanceRecord {
  id: string;
  name: string;
  /** ACTIVE, BUILD, FAILED, FROZEN, MODIFYING, REBOOTING, RESTORING, … */
  status: string;
  /** Single, Ha or Replica. */
  type: string;
  datastore: { type: string; version: string };
  port: number;
  region: string;
  private_ips: string[];
  public_ips: string[];
  flavor_ref: string;
  volume: { type: string; size: number };
  created: string;
  updated: string;
  time_zone: string;
  enterprise_project_id: string;
}

/** The target instances of the test chains (test/support/pipeline.ts): both SQL Server 2019 Standard. */
export const SEEDED_RDS_INSTANCE_IDS = ['0a3182607bc549bcb46cc9a8755761a6in04', 'crm-instance-in04'] as const;

const DATASTORE_TYPES = ['MySQL', 'PostgreSQL', 'SQLServer', 'MariaDB'];

function sqlServerInstance(id: string, index: number): RdsInstanceRecord {
  return {
    id,
    name: `rds-sqlserver-${index + 1}`,
    status: 'ACTIVE',
    type: 'Ha',
    datastore: { type: 'SQLServer', version: '2019_SE' },
    port: 1433,
    region: 'cn-north-4',
    private_ips: [`192.168.0.${10 + index}`],
    public_ips: [],
    flavor_ref: 'rds.mssql.se.s3.large.4.ha',
    volume: { type: 'CLOUDSSD', size: 200 },
    created: '2026-11-01T08:00:00+0000',
    updated: '2026-11-01T08:10:00+0000',
    time_zone: 'China Standard Time',
    enterprise_project_id: '0',
  };
}

/** `*abc` matches values containing abc; anything else matches exactly. */
function matches(filter: string | null, value: string): boolean {
  if (filter === null) return true;
  return filter.startsWith('*') ? value.includes(filter.replace(/^\*+/, '')) : value === filter;
}

/** RDS DB instances, seeded with the test chains' targets; tests add or change their own. */
export class RdsService {
  readonly instances = new Map<string, RdsInstanceRecord>(SEEDED_RDS_INSTANCE_IDS.map((id, i) => [id, sqlServerInstance(id, i)]));

  /** Adds an instance (a SQL Server 2019 SE unless `fields` say otherwise) or changes fields of one. */
  setInstance(id: string, fields: Partial<Omit<RdsInstanceRecord, 'id'>> = {}): RdsInstanceRecord {
    const current = this.instances.get(id) ?? sqlServerInstance(id, this.instances.size);
    const next: RdsInstanceRecord = { ...structuredClone(current), ...structuredClone(fields), id };
    this.instances.set(id, next);
    return next;
  }

  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/v3\/(?<project>[^/]+)\/instances$/,
        operation: 'rds.listInstances',
        handle: ({ query }) => {
          const bad = (name: string) => error(400, 'DBS.200001', `Parameter error: ${name}.`);
          const id = query.get('id');
          const name = query.get('name');
          const datastoreType = query.get('datastore_type');
          const type = query.get('type');
          if (id !== null && (id === '' || /^\*+$/.test(id))) return bad('id');
          if (name !== null && (name === '' || /^\*+$/.test(name))) return bad('name');
          if (datastoreType !== null && !DATASTORE_TYPES.includes(datastoreType)) return bad('datastore_type');
          const offset = intParam(query, 'offset') ?? 0;
          const limit = intParam(query, 'limit') ?? 100;
          if (Number.isNaN(offset)) return bad('offset');
          if (Number.isNaN(limit) || limit < 1 || limit > 100) return bad('limit');
          const matching = [...this.instances.values()].filter(
            (instance) =>
              matches(id, instance.id) &&
              matches(name, instance.name) &&
              (datastoreType === null || instance.datastore.type === datastoreType) &&
              (type === null || instance.type === type),
          );
          return ok({ instances: structuredClone(matching.slice(offset, offset + limit)), total_count: matching.length });
        },
      },
    ];
  }
}
