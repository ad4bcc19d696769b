import * as z from 'zod';
import { InvalidRequestError } from './errors';
import type { Transport } from './transport';
import { parseResponse, segment } from './validate';
import { redact, registerSecret } from '../log/redact';

/**
 * DCS v2 Redis data-migration task, as in dcs-v2-get-migration-task.txt. The page documents the
 * status both as INCRMIGRATING and (sic) INCRMIGEATING; DCS's SDK models and Terraform provider add
 * CREATING, ERROR, DELETED and MIGRATION_SUCCESS. The list is what we know, not a gate: any other
 * value is kept as DCS sent it, so a new status is shown rather than failing the check.
 */
export const DCS_MIGRATION_STATUSES = [
  'CREATING',
  'RUNNING',
  'MIGRATING',
  'FULLMIGRATING',
  'INCRMIGRATING',
  'INCRMIGEATING',
  'TERMINATING',
  'TERMINATED',
  'SUCCESS',
  'MIGRATION_SUCCESS',
  'FAILED',
  'MIGRATION_FAILED',
  'ERROR',
  'RELEASED',
  'DELETED',
] as const;
export type KnownDcsMigrationStatus = (typeof DCS_MIGRATION_STATUSES)[number];

export function isKnownDcsStatus(status: string): status is KnownDcsMigrationStatus {
  return (DCS_MIGRATION_STATUSES as readonly string[]).includes(status);
}

const RedisEndpoint = z.looseObject({
  id: z.string().nullish(),
  name: z.string().nullish(),
  addrs: z.string().nullish(),
  ip: z.string().nullish(),
  port: z.string().nullish(),
  password: z.string().nullish(),
  task_status: z.string().nullish(),
  proxy_multi_db: z.boolean().nullish(),
  db: z.string().nullish(),
});

export const MigrationTask = z.looseObject({
  task_id: z.string(),
  task_name: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().min(1),
  migration_type: z.string().nullish(),
  migration_method: z.string().nullish(),
  ecs_tenant_private_ip: z.string().nullish(),
  backup_files: z
    .looseObject({
      file_source: z.string().nullish(),
      bucket_name: z.string().nullish(),
      files: z.array(z.looseObject({ file_name: z.string().nullish(), size: z.string().nullish(), update_at: z.string().nullish() })).nullish(),
      backup_id: z.string().nullish(),
    })
    .nullish(),
  network_type: z.string().nullish(),
  source_instance: RedisEndpoint.nullish(),
  target_instance: RedisEndpoint.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  released_at: z.string().nullish(),
  version: z.string().nullish(),
  resume_mode: z.string().nullish(),
  supported_features: z.array(z.string()).nullish(),
  tenant_vpc_id: z.string().nullish(),
  tenant_subnet_id: z.string().nullish(),
  tenant_security_group_id: z.string().nullish(),
  bandwidth_limit_mb: z.string().nullish(),
  task_status: z.string().nullish(),
});
export type MigrationTask = z.infer<typeof MigrationTask>;

export class DcsClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  /**
   * The task with its Redis passwords already replaced by [REDACTED]: DCS returns them in clear and
   * nothing downstream needs them. They are also registered so no later log line can carry them.
   */
  async getMigrationTask(taskId: string): Promise<MigrationTask> {
    const operation = 'dcs.getMigrationTask';
    if (!taskId) throw new InvalidRequestError(operation, 'task_id', 'is required');
    const response = await this.transport.send({
      operation,
      service: 'dcs',
      method: 'GET',
      path: `/v2/${segment(this.projectId)}/migration-task/${segment(taskId)}`,
      retry: true,
    });
    const task = parseResponse(operation, MigrationTask, response.body, response.requestId);
    registerSecret(task.source_instance?.password ?? undefined);
    registerSecret(task.target_instance?.password ?? undefined);
    return redact(task);
  }
}
