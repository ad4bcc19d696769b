import { createHuaweiClient, type HuaweiClient, type HuaweiClientOptions } from '../../shared/huawei/client';
import { PoolCache } from '../../shared/huawei/transport';
import { createLogger, type Logger } from '../../shared/log/logger';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../scripts/local-cloud/server';

/** Every log line a test produced, for assertions on what was (and was not) printed. */
export interface CapturedLogs {
  lines: string[];
  logger: Logger;
  text(): string;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', sink: (_level, line) => lines.push(line) }), text: () => lines.join('\n') };
}

export interface CloudHarness {
  cloud: LocalCloud;
  client: HuaweiClient;
  logs: CapturedLogs;
  /** Waits the transport asked for between attempts, in ms (the sleep itself is skipped). */
  waits: number[];
  pools: PoolCache;
  makeClient(options?: HuaweiClientOptions): HuaweiClient;
  /** Between tests sharing one harness: no fault left armed, no request or wait from the last test. */
  reset(): void;
  close(): Promise<void>;
}

/** A local cloud on loopback and a real client signed with real keys, retries without real sleeping. */
export async function startHarness(cloudOptions: LocalCloudOptions = {}): Promise<CloudHarness> {
  const cloud = await startLocalCloud(cloudOptions);
  const logs = captureLogs();
  const waits: number[] = [];
  const pools = new PoolCache();
  const makeClient = (options: HuaweiClientOptions = {}) =>
    createHuaweiClient({
      env: cloud.env(),
      logger: logs.logger,
      pools,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...options,
    });
  return {
    cloud,
    client: makeClient(),
    logs,
    waits,
    pools,
    makeClient,
    reset: () => {
      cloud.faults.clear();
      cloud.requests.length = 0;
      waits.length = 0;
    },
    close: async () => {
      await pools.close();
      await cloud.close();
    },
  };
}

/** A valid OBS restore request for `fileName`, as the documented full-migration example. */
export function obsRestoreRequest(fileName: string, overrides: { name?: string; recovery_mode?: 'full' | 'incre'; is_last_backup?: boolean; obs_path?: string } = {}) {
  return {
    base_info: { name: overrides.name ?? `job-${fileName.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 50), engine_type: 'sqlserver' as const, enterprise_project_id: '0', tags: [] },
    target_db_info: { target_instance_id: '0a3182607bc549bcb46cc9a8755761a6in04', ms_file_stream_status: 'off' },
    backup_info: { file_source: 'OBS' as const, bucket_name: 'mig-backups', files: [{ name: fileName, obs_path: overrides.obs_path ?? 'erp/' }] },
    options: {
      is_cover: true,
      recovery_mode: overrides.recovery_mode ?? 'full',
      is_default_restore: true,
      is_last_backup: overrides.is_last_backup ?? false,
      is_precheck: true,
      is_delete_backup_file: true,
    },
  };
}
