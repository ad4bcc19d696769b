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
 * Creates each function, or replaces its code and configuration, then makes its triggers match
 * serverless.yml: stale ones are deleted before new ones are created, so moving an OBS trigger's
 * prefix never collides with itself. Every request is checked before the first is sent, so a bad
 * setting changes nothing; a failure of the cloud half-way is repaired by deploying again.
 */
export async function deployService(client: FunctionGraphClient, spec: ServiceSpec, zips: Map<string, Buffer>, say: Say): Promise<void> {
  for (const fn of spec.functions) {
    const zip = zips.get(fn.key);
    if (!zip) throw new Error(`no package for function ${fn.key}; run serverless package first`);
    parseRequest(`deploy ${fn.key}`, CreateFunctionRequest, { ...settings(fn), package: spec.app, ...zipCode(fn, Buffer.alloc(1)) });
  }
  for (const fn of spec.functions) {
    const zip = zips.get(fn.key)!;
    const existing = await client.getFunctionConfig(fn.urn);
    if (existing) {
      await client.updateFunctionCode(fn.urn, zipCode(fn, zip));
      await client.updateFunctionConfig(fn.urn, settings(fn));
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
