import * as z from 'zod';
import { FunctionName, MEMORY_SIZES, type CreateTriggerRequest, type Trigger } from '../../shared/huawei/functiongraph';

/**
 * What serverless.yml says, checked and turned into what FunctionGraph needs: one spec per function.
 * Pure, so the translation and the trigger diff are unit-tested without a cloud.
 */

const Environment = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'), z.coerce.string());
const Memory = z.union(MEMORY_SIZES.map((size) => z.literal(size)));

const ObsEvent = z.object({
  obs: z.object({
    bucket: z.string().min(3, 'must name the OBS bucket backups are uploaded to'),
    events: z.array(z.string()).min(1).default(['s3:ObjectCreated:*']),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
  }),
});
const TimerEvent = z.object({
  timer: z.object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter'),
    // `1m`, `2h`, `1d` (a rate) or a cron expression such as `0 0/5 * * * ?`.
    schedule: z.string().min(1),
    input: z.string().optional(),
  }),
});

export const ServerlessConfig = z.object({
  service: z.string().min(1),
  provider: z.object({
    name: z.literal('huawei'),
    stage: z.string().default('dev'),
    region: z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'must be a region such as cn-north-4'),
    runtime: z.string().default('Node.js20.15'),
    /** FunctionGraph app (the "package" in the API) the functions belong to. */
    app: z.string().default('default'),
    agency: z.string().min(1).optional(),
    /** Where DCS Redis is reachable from; both empty means no VPC (e.g. the local cloud). */
    vpc: z
      .object({ vpcId: z.string().default(''), subnetId: z.string().default('') })
      .refine((vpc) => Boolean(vpc.vpcId) === Boolean(vpc.subnetId), 'give both vpcId and subnetId, or neither')
      .optional(),
    memorySize: Memory.default(256),
    timeout: z.number().int().min(3).max(900).default(60),
    environment: Environment.default({}),
    /**
     * Characters of environment (every key and value, plain and encrypted together) FunctionGraph
     * takes: 2048 in most regions, cn-north-4 among them; 4096 only in the regions FunctionGraph lists
     * (../shared/reference/README.md, "Facts found since"). Raise it only for such a region.
     */
    environmentLimit: z.union([z.literal(2048), z.literal(4096)]).default(2048),
  }),
  functions: z.record(
    z.string(),
    z.object({
      name: FunctionName.optional(),
      handler: z.string().default('index.handler'),
      memorySize: Memory.optional(),
      timeout: z.number().int().min(3).max(900).optional(),
      environment: Environment.default({}),
      events: z.array(z.union([ObsEvent, TimerEvent])).default([]),
    }),
  ),
});
export type ServerlessConfig = z.input<typeof ServerlessConfig>;

export type TriggerSpec = CreateTriggerRequest;

export interface FunctionSpec {
  /** The key under `functions:` in serverless.yml; also the folder under functions/. */
  key: string;
  name: string;
  urn: string;
  handler: string;
  runtime: string;
  memorySize: (typeof MEMORY_SIZES)[number];
  timeout: number;
  agency: string | undefined;
  vpc: { vpc_id: string; subnet_id: string } | undefined;
  environment: Record<string, string>;
  triggers: TriggerSpec[];
}

export interface ServiceSpec {
  service: string;
  stage: string;
  region: string;
  app: string;
  environmentLimit: 2048 | 4096;
  functions: FunctionSpec[];
}

/** Reads the config; a bad field throws naming it (`functions.poll-jobs.timeout: …`). */
export function parseServiceSpec(config: unknown, projectId: string): ServiceSpec {
  const parsed = ServerlessConfig.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`serverless.yml: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  const { service, provider, functions } = parsed.data;
  return {
    service,
    stage: provider.stage,
    region: provider.region,
    app: provider.app,
    environmentLimit: provider.environmentLimit,
    functions: Object.entries(functions).map(([key, fn]) => {
      const name = fn.name ?? `${service}-${provider.stage}-${key}`;
      const checkedName = FunctionName.safeParse(name);
      if (!checkedName.success) throw new Error(`serverless.yml: functions.${key}: function name "${name}" ${checkedName.error.issues[0]!.message}`);
      return {
        key,
        name,
        urn: `urn:fss:${provider.region}:${projectId}:function:${provider.app}:${name}`,
        handler: fn.handler,
        runtime: provider.runtime,
        memorySize: fn.memorySize ?? provider.memorySize,
        timeout: fn.timeout ?? provider.timeout,
        agency: provider.agency,
        vpc: provider.vpc?.vpcId ? { vpc_id: provider.vpc.vpcId, subnet_id: provider.vpc.subnetId } : undefined,
        // Each deployment (service and stage) gets its own Redis keys unless told otherwise, so two
        // stages sharing one DCS instance never see, or page for, each other's chains.
        environment: { STATE_KEY_PREFIX: `${service}:${provider.stage}:`, ...provider.environment, ...fn.environment },
        triggers: fn.events.map((event): TriggerSpec =>
          'obs' in event
            ? {
                trigger_type_code: 'OBS',
                event_type_code: 'ObjectCreated',
                trigger_status: 'ACTIVE',
                event_data: { bucket: event.obs.bucket, events: event.obs.events, ...(event.obs.prefix ? { prefix: event.obs.prefix } : {}), ...(event.obs.suffix ? { suffix: event.obs.suffix } : {}) },
              }
            : {
                trigger_type_code: 'TIMER',
                event_type_code: 'MessageCreated',
                trigger_status: 'ACTIVE',
                event_data: {
                  name: event.timer.name,
                  schedule_type: /^\d+[mhd]$/.test(event.timer.schedule) ? 'Rate' : 'Cron',
                  schedule: event.timer.schedule,
                  ...(event.timer.input ? { user_event: event.timer.input } : {}),
                },
              },
        ),
      };
    }),
  };
}

/**
 * Variables that hold passwords or keys (the Redis URL carries the DCS password) go to FunctionGraph's
 * encrypted environment, which the console and the API never show back.
 */
const SECRET_VARIABLES = new Set(['STATE_URL', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN']);

export function splitEnvironment(environment: Record<string, string>): { user_data: string; encrypted_user_data?: string } {
  const plain = Object.fromEntries(Object.entries(environment).filter(([name]) => !SECRET_VARIABLES.has(name)));
  const secret = Object.fromEntries(Object.entries(environment).filter(([name]) => SECRET_VARIABLES.has(name)));
  return { user_data: JSON.stringify(plain), ...(Object.keys(secret).length ? { encrypted_user_data: JSON.stringify(secret) } : {}) };
}

/** What makes two triggers the same trigger: type, status and the fields that decide when it fires. */
function triggerIdentity(trigger: { trigger_type_code: string; event_data: Record<string, unknown>; trigger_status?: string | undefined }): string {
  const { trigger_type_code: type, event_data: data, trigger_status: status = 'ACTIVE' } = trigger;
  if (type === 'OBS') {
    const events = Array.isArray(data.events) ? [...data.events].map((e) => String(e).replace(/^s3:/, '')).sort() : [];
    return JSON.stringify(['OBS', status, data.bucket, events, data.prefix ?? '', data.suffix ?? '']);
  }
  return JSON.stringify([type, status, data.name, data.schedule_type, data.schedule, data.user_event ?? '']);
}

/**
 * Triggers to delete (no longer declared, changed, or disabled in the console) and to create, so a
 * redeploy converges on serverless.yml.
 */
export function planTriggers(current: Trigger[], desired: TriggerSpec[]): { remove: Trigger[]; create: TriggerSpec[] } {
  const wanted = new Set(desired.map(triggerIdentity));
  const existing = new Set(current.map(triggerIdentity));
  return {
    remove: current.filter((t) => !wanted.has(triggerIdentity(t))),
    create: desired.filter((t) => !existing.has(triggerIdentity(t))),
  };
}
