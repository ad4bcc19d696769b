import { CreateFunctionRequest, type FunctionGraphClient } from '../../shared/huawei/functiongraph';
import { parseRequest } from '../../shared/huawei/validate';
import { planTriggers, splitEnvironment, type FunctionSpec, type ServiceSpec } from './spec';

export type Say = (line: string) => void;

function settings(fn: FunctionSpec) {
  return {
    func_name: fn.name,
    handler: fn.handler,
    runtime: fn.runtime,
    memory_size: fn.memorySize,
    timeout: fn.timeout,
    ...splitEnvironment(fn.environment),
    ...(fn.agency ? { xrole: fn.agency } : {}),
    ...(fn.vpc ? { func_vpc: fn.vpc } : {}),
  };
}

function zipCode(fn: FunctionSpec, zip: Buffer) {
  return { code_type: 'zip' as const, code_filename: `${fn.key}.zip`, func_code: { file: zip.toString('base64') } };
}

/**
 * FunctionGraph allows one OBS trigger per bucket (../shared/reference/README.md): a bucket another
 * function already watches (another stage, say) would fail our trigger after our function exists.
 */
async function checkBucketsFree(client: FunctionGraphClient, spec: ServiceSpec): Promise<void> {
  const buckets = new Map(spec.functions.flatMap((fn) => fn.triggers.flatMap((t) => (t.trigger_type_code === 'OBS' ? [[t.event_data.bucket, fn] as const] : []))));
  if (buckets.size === 0) return;
  const ours = new Set(spec.functions.map((fn) => fn.urn));
  // Listed URNs carry a version (`…:latest`); ours do not.
  const unversioned = (urn: string) => urn.split(':').slice(0, 7).join(':');
  for (const other of (await client.listFunctions()).filter((f) => !ours.has(unversioned(f.func_urn)))) {
    for (const trigger of await client.listTriggers(other.func_urn)) {
      const bucket = trigger.trigger_type_code === 'OBS' ? String(trigger.event_data.bucket) : undefined;
      const fn = bucket === undefined ? undefined : buckets.get(bucket);
      if (fn) {
        throw new Error(
          `cannot deploy ${fn.key}: bucket ${bucket} already has an OBS trigger, of function ${other.func_name}, and FunctionGraph allows one per bucket. ` +
            `Give this stage its own bucket (BACKUP_BUCKET and the chains' bucket), or remove the other deployment first (serverless remove --stage …)`,
        );
      }
    }
  }
}

/**
 * Creates each function, or replaces its configuration and then its code, then makes its triggers
 * match serverless.yml: stale ones are deleted before new ones are created, so moving an OBS
 * trigger's prefix never collides with itself. Every request is checked, and every watched bucket
 * found free, before the first change; the configuration goes before the code so a setting
 * FunctionGraph refuses leaves the old function whole. A failure of the cloud half-way is repaired
 * by deploying again.
 */
export async function deployService(client: FunctionGraphClient, spec: ServiceSpec, zips: Map<string, Buffer>, say: Say): Promise<void> {
  for (const fn of spec.functions) {
    const zip = zips.get(fn.key);
    if (!zip) throw new Error(`no package for function ${fn.key}; run serverless package first`);
    parseRequest(`deploy ${fn.key}`, CreateFunctionRequest, { ...settings(fn), package: spec.app, ...zipCode(fn, Buffer.alloc(1)) });
  }
  await checkBucketsFree(client, spec);
  for (const fn of spec.functions) {
    const zip = zips.get(fn.key)!;
    const existing = await client.getFunctionConfig(fn.urn);
    if (existing) {
      await client.updateFunctionConfig(fn.urn, settings(fn));
      await client.updateFunctionCode(fn.urn, zipCode(fn, zip));
      say(`updated function ${fn.name} (${zip.length} bytes of code)`);
    } else {
      await client.createFunction({ ...settings(fn), package: spec.app, ...zipCode(fn, zip) });
      say(`created function ${fn.name} (${zip.length} bytes of code)`);
    }
    const plan = planTriggers(await client.listTriggers(fn.urn), fn.triggers);
    for (const stale of plan.remove) {
      await client.deleteTrigger(fn.urn, stale);
      say(`  removed ${stale.trigger_type_code} trigger ${stale.trigger_id}`);
    }
    for (const trigger of plan.create) {
      const created = await client.createTrigger(fn.urn, trigger);
      say(`  added ${trigger.trigger_type_code} trigger ${created.trigger_id} ${JSON.stringify(trigger.event_data)}`);
    }
  }
}

/** Deletes every function of the service with its triggers; what is already gone is skipped. */
export async function removeService(client: FunctionGraphClient, spec: ServiceSpec, say: Say): Promise<void> {
  for (const fn of spec.functions) {
    if (!(await client.getFunctionConfig(fn.urn))) {
      say(`function ${fn.name} does not exist; nothing to remove`);
      continue;
    }
    for (const trigger of await client.listTriggers(fn.urn)) {
      await client.deleteTrigger(fn.urn, trigger);
      say(`  removed ${trigger.trigger_type_code} trigger ${trigger.trigger_id}`);
    }
    await client.deleteFunction(fn.urn);
    say(`removed function ${fn.name}`);
  }
}
