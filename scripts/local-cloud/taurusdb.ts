import { taurusBackups, type TaurusBackupRecord } from './fixtures';
import { error, intParam, ok, type Route } from './route';

export type { TaurusBackupRecord };

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{4})$/;

/** Milliseconds of a `yyyy-mm-ddThh:mm:ss+0800` time: Date.parse wants the offset as +08:00. */
function timeMs(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** TaurusDB backups, seeded from the reference example; tests add their own. */
export class TaurusDbService {
  readonly backups: TaurusBackupRecord[] = structuredClone(taurusBackups);

  add(backup: TaurusBackupRecord): void {
    this.backups.push(structuredClone(backup));
  }

  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/v3\/(?<project>[^/]+)\/backups$/,
        operation: 'taurusdb.listBackups',
        handle: ({ query }) => {
          const bad = (name: string) => error(400, 'DBS.280001', `Invalid parameter: ${name}.`);
          const instanceId = query.get('instance_id');
          if (!instanceId) return bad('instance_id');
          const offset = intParam(query, 'offset') ?? 0;
          const limit = intParam(query, 'limit') ?? 100;
          if (Number.isNaN(offset)) return bad('offset');
          if (Number.isNaN(limit) || limit < 1 || limit > 100) return bad('limit');
          const begin = query.get('begin_time');
          const end = query.get('end_time');
          // A '+' that was not percent-encoded arrives as a space and fails here, as it does on the real service.
          if ((begin === null) !== (end === null)) return bad(begin === null ? 'begin_time' : 'end_time');
          if (begin !== null && !TIME.test(begin)) return bad('begin_time');
          if (end !== null && !TIME.test(end)) return bad('end_time');
          if (begin !== null && end !== null && timeMs(end) <= timeMs(begin)) return bad('end_time');
          const backupId = query.get('backup_id');
          const type = query.get('backup_type');
          const status = query.get('status');
          const matching = this.backups.filter(
            (b) =>
              b.instance_id === instanceId &&
              (backupId === null || b.id === backupId) &&
              (type === null || b.type === type) &&
              (status === null || b.status === status) &&
              (begin === null || timeMs(b.begin_time) >= timeMs(begin)) &&
              (end === null || timeMs(b.begin_time) <= timeMs(end)),
          );
          return ok({ backups: matching.slice(offset, offset + limit), total_count: matching.length });
        },
      },
    ];
  }
}
