import { createHash, randomUUID } from 'node:crypto';
import { error, ok, type Route, type RouteResponse } from './route';

/**
 * FunctionGraph v2 functions and triggers, enough for `serverless deploy` and `remove`. Validation
 * follows Huawei's public API pages, written here from them rather than from the client's schema.
 * The environment, keys and values of plain and encrypted settings together, takes 2048 characters
 * (4096 in the regions FunctionGraph lists; cn-north-4 is not one), and a bucket takes one OBS
 * trigger (Open Telekom Cloud's copy of the docs): see ../shared/reference/README.md.
 * Emulator choices the pages leave open: an unknown function is 404 FSS.1051, a second function of
 * the same name 409 FSS.1061, a second OBS trigger on a bucket 409 FSS.1103, and any other bad field
 * 400 FSS.1001 naming the field.
 */

export interface DeployedFunction {
  urn: string;
  name: string;
  package: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  encryptedEnvironment: Record<string, string>;
  agency: string | undefined;
  vpc: { vpcId: string; subnetId: string } | undefined;
  /** The zip as uploaded. */
  code: Buffer;
  codeFilename: string;
  lastModified: string;
}

export interface DeployedTrigger {
  id: string;
  type: 'TIMER' | 'OBS';
  eventTypeCode: string;
  status: string;
  eventData: Record<string, unknown>;
  createdTime: string;
}

const RUNTIMES = new Set(['Node.js6.10', 'Node.js8.10', 'Node.js10.16', 'Node.js12.13', 'Node.js14.18', 'Node.js16.17', 'Node.js18.15', 'Node.js20.15']);
const MEMORY = new Set([128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096]);
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const URN = /^urn:fss:(?<region>[a-z0-9-]+):(?<project>[A-Za-z0-9-]+):function:(?<pkg>[A-Za-z0-9_-]+):(?<name>[A-Za-z0-9_-]+)(:(?<version>[A-Za-z0-9_.-]+))?$/;
const OBS_EVENTS = /^(s3:)?Object(Created|Removed):(\*|Put|Post|Copy|CompleteMultipartUpload|Delete|DeleteMarkerCreated)$/;

const invalid = (field: string, reason: string) => error(400, 'FSS.1001', `Invalid parameter ${field}: ${reason}`);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Settings = Pick<DeployedFunction, 'runtime' | 'handler' | 'memorySize' | 'timeout' | 'environment' | 'encryptedEnvironment' | 'agency' | 'vpc'>;

function parseEnvironment(field: string, value: unknown): Record<string, string> | RouteResponse {
  if (value === undefined) return {};
  if (typeof value !== 'string') return invalid(field, 'must be a JSON object in a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return invalid(field, 'is not JSON');
  }
  if (!isObject(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) return invalid(field, 'must map names to string values');
  return parsed as Record<string, string>;
}

function parseSettings(body: Record<string, unknown>, environmentLimit: number): Settings | RouteResponse {
  const { runtime, handler, memory_size: memory, timeout, xrole } = body;
  if (typeof runtime !== 'string' || !RUNTIMES.has(runtime)) return invalid('runtime', `unsupported runtime ${String(runtime)}`);
  if (typeof handler !== 'string' || !/^[\w./-]+\.[A-Za-z_$][\w$]*$/.test(handler)) return invalid('handler', 'must look like index.handler');
  if (typeof memory !== 'number' || !MEMORY.has(memory)) return invalid('memory_size', 'must be one of 128, 256, 512, ... 4096');
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 3 || timeout > 900) return invalid('timeout', 'must be 3 to 900 seconds');
  if (xrole !== undefined && (typeof xrole !== 'string' || xrole === '')) return invalid('xrole', 'must name an agency');
  const vpc = body.func_vpc;
  if (vpc !== undefined && (!isObject(vpc) || typeof vpc.vpc_id !== 'string' || !vpc.vpc_id || typeof vpc.subnet_id !== 'string' || !vpc.subnet_id)) {
    return invalid('func_vpc', 'needs vpc_id and subnet_id');
  }
  // FunctionGraph creates the function's VPC interface with the agency's permissions.
  if (vpc !== undefined && xrole === undefined) return invalid('xrole', 'an agency with VPC permissions is required for VPC access');
  const environment = parseEnvironment('user_data', body.user_data);
  if ('status' in environment) return environment as RouteResponse;
  const encryptedEnvironment = parseEnvironment('encrypted_user_data', body.encrypted_user_data);
  if ('status' in encryptedEnvironment) return encryptedEnvironment as RouteResponse;
  const size = Object.entries({ ...environment, ...encryptedEnvironment }).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > environmentLimit) return invalid('user_data', `environment variables and encrypted settings total ${size} characters; the limit is ${environmentLimit}`);
  return {
    runtime,
    handler,
    memorySize: memory,
    timeout,
    environment,
    encryptedEnvironment,
    agency: xrole as string | undefined,
    vpc: isObject(vpc) ? { vpcId: vpc.vpc_id as string, subnetId: vpc.subnet_id as string } : undefined,
  };
}

function parseZip(body: Record<string, unknown>): { code: Buffer; codeFilename: string } | RouteResponse {
  if (body.code_type !== 'zip') return invalid('code_type', 'only zip is supported here');
  if (typeof body.code_filename !== 'string' || !body.code_filename.endsWith('.zip')) return invalid('code_filename', 'is required for zip code and must end in .zip');
  const file = isObject(body.func_code) ? body.func_code.file : undefined;
  if (typeof file !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(file)) return invalid('func_code.file', 'must be the base64 zip');
  const code = Buffer.from(file, 'base64');
  if (code.readUInt32LE(0) !== 0x04034b50) return invalid('func_code.file', 'is not a zip archive');
  return { code, codeFilename: body.code_filename };
}

export class FunctionGraphService {
  /** By unversioned URN. */
  readonly functions = new Map<string, DeployedFunction>();
  readonly triggers = new Map<string, DeployedTrigger[]>();

  constructor(
    private readonly projectId: string,
    private readonly region = 'cn-north-4',
    private readonly environmentLimit = 2048,
  ) {}

  private resolve(rawUrn: string | undefined): DeployedFunction | undefined {
    const urn = URN.exec(rawUrn ?? '');
    if (!urn?.groups || (urn.groups.version && urn.groups.version !== 'latest')) return undefined;
    return this.functions.get(`urn:fss:${urn.groups.region}:${urn.groups.project}:function:${urn.groups.pkg}:${urn.groups.name}`);
  }

  private config(fn: DeployedFunction) {
    return {
      func_urn: `${fn.urn}:latest`,
      func_name: fn.name,
      package: fn.package,
      runtime: fn.runtime,
      handler: fn.handler,
      memory_size: fn.memorySize,
      timeout: fn.timeout,
      code_type: 'zip',
      code_filename: fn.codeFilename,
      code_size: fn.code.length,
      digest: createHash('sha512').update(fn.code).digest('hex'),
      user_data: JSON.stringify(fn.environment),
      // FunctionGraph never returns encrypted variables' values.
      xrole: fn.agency,
      ...(fn.vpc ? { func_vpc: { vpc_id: fn.vpc.vpcId, subnet_id: fn.vpc.subnetId } } : {}),
      last_modified: fn.lastModified,
    };
  }

  private notFound = () => error(404, 'FSS.1051', 'Not found the function');

  routes(): Route[] {
    const project = '(?<project>[^/]+)';
    const fn = '(?<urn>[^/]+)';
    return [
      {
        method: 'GET',
        pattern: new RegExp(`^/v2/${project}/fgs/functions$`),
        operation: 'functiongraph.listFunctions',
        handle: ({ query }) => {
          const marker = Number(query.get('marker') ?? 0);
          const asked = Number(query.get('maxitems') ?? 400);
          if (!Number.isInteger(marker) || marker < 0) return invalid('marker', 'must be a record position');
          if (!Number.isInteger(asked) || asked < 0) return invalid('maxitems', 'must not be negative');
          const all = [...this.functions.values()];
          const page = all.slice(marker, marker + (asked === 0 || asked > 400 ? 400 : asked));
          return ok({ functions: page.map((f) => this.config(f)), next_marker: marker + page.length, count: all.length });
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`^/v2/${project}/fgs/functions$`),
        operation: 'functiongraph.createFunction',
        handle: ({ body }) => {
          if (!isObject(body)) return invalid('(body)', 'must be a JSON object');
          if (typeof body.func_name !== 'string' || !NAME.test(body.func_name)) return invalid('func_name', 'must start with a letter, at most 60 letters, digits, hyphens, underscores');
          if (typeof body.package !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body.package)) return invalid('package', 'is required');
          const settings = parseSettings(body, this.environmentLimit);
          if ('status' in settings) return settings;
          const zip = parseZip(body);
          if ('status' in zip) return zip;
          const urn = `urn:fss:${this.region}:${this.projectId}:function:${body.package}:${body.func_name}`;
          if (this.functions.has(urn)) return error(409, 'FSS.1061', `Function ${body.func_name} already exists`);
          const created: DeployedFunction = { urn, name: body.func_name, package: body.package, ...settings, ...zip, lastModified: new Date().toISOString() };
          this.functions.set(urn, created);
          this.triggers.set(urn, []);
          return ok(this.config(created));
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`^/v2/${project}/fgs/functions/${fn}/config$`),
        operation: 'functiongraph.showFunctionConfig',
        handle: ({ params }) => {
          const found = this.resolve(params.urn);
          return found ? ok(this.config(found)) : this.notFound();
        },
      },
      {
        method: 'PUT',
        pattern: new RegExp(`^/v2/${project}/fgs/functions/${fn}/code$`),
        operation: 'functiongraph.updateFunctionCode',
        handle: ({ params, body }) => {
          const found = this.resolve(params.urn);
          if (!found) return this.notFound();
          if (!isObject(body)) return invalid('(body)', 'must be a JSON object');
          const zip = parseZip(body);
          if ('status' in zip) return zip;
          Object.assign(found, zip, { lastModified: new Date().toISOString() });
          return ok(this.config(found));
        },
      },
      {
        method: 'PUT',
        pattern: new RegExp(`^/v2/${project}/fgs/functions/${fn}/config$`),
        operation: 'functiongraph.updateFunctionConfig',
        handle: ({ params, body }) => {
          const found = this.resolve(params.urn);
          if (!found) return this.notFound();
          if (!isObject(body)) return invalid('(body)', 'must be a JSON object');
          if (body.func_name !== found.name) return invalid('func_name', 'must be the function\'s own name');
          const settings = parseSettings(body, this.environmentLimit);
          if ('status' in settings) return settings;
          Object.assign(found, settings, { lastModified: new Date().toISOString() });
          return ok(this.config(found));
        },
      },
      {
        method: 'DELETE',
        pattern: new RegExp(`^/v2/${project}/fgs/functions/${fn}$`),
        operation: 'functiongraph.deleteFunction',
        handle: ({ params }) => {
          const found = this.resolve(params.urn);
          if (!found) return this.notFound();
          this.functions.delete(found.urn);
          this.triggers.delete(found.urn);
          return { status: 204, body: undefined };
        },
      },
      {
        method: 'GET',
        pattern: new RegExp(`^/v2/${project}/fgs/triggers/${fn}$`),
        operation: 'functiongraph.listFunctionTriggers',
        handle: ({ params }) => {
          const found = this.resolve(params.urn);
          return found ? ok((this.triggers.get(found.urn) ?? []).map(triggerBody)) : this.notFound();
        },
      },
      {
        method: 'POST',
        pattern: new RegExp(`^/v2/${project}/fgs/triggers/${fn}$`),
        operation: 'functiongraph.createFunctionTrigger',
        handle: ({ params, body }) => {
          const found = this.resolve(params.urn);
          if (!found) return this.notFound();
          if (!isObject(body)) return invalid('(body)', 'must be a JSON object');
          const checked = this.checkTrigger(body);
          if (checked) return checked;
          const trigger: DeployedTrigger = {
            id: randomUUID(),
            type: body.trigger_type_code as DeployedTrigger['type'],
            eventTypeCode: body.event_type_code as string,
            status: (body.trigger_status as string | undefined) ?? 'ACTIVE',
            eventData: body.event_data as Record<string, unknown>,
            createdTime: new Date().toISOString(),
          };
          this.triggers.get(found.urn)!.push(trigger);
          return { status: 201, body: triggerBody(trigger) };
        },
      },
      {
        method: 'DELETE',
        pattern: new RegExp(`^/v2/${project}/fgs/triggers/${fn}/(?<type>[^/]+)/(?<id>[^/]+)$`),
        operation: 'functiongraph.deleteFunctionTrigger',
        handle: ({ params }) => {
          const found = this.resolve(params.urn);
          const triggers = found ? this.triggers.get(found.urn) : undefined;
          const index = triggers?.findIndex((t) => t.id === params.id && t.type === params.type) ?? -1;
          if (!triggers || index < 0) return error(404, 'FSS.1051', 'Not found the trigger');
          triggers.splice(index, 1);
          return { status: 204, body: undefined };
        },
      },
    ];
  }

  private checkTrigger(body: Record<string, unknown>): RouteResponse | undefined {
    const data = body.event_data;
    if (typeof body.event_type_code !== 'string' || !body.event_type_code) return invalid('event_type_code', 'is required');
    if (body.trigger_status !== undefined && body.trigger_status !== 'ACTIVE' && body.trigger_status !== 'DISABLED') return invalid('trigger_status', 'must be ACTIVE or DISABLED');
    if (!isObject(data)) return invalid('event_data', 'must be an object');
    if (body.trigger_type_code === 'TIMER') {
      if (typeof data.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(data.name)) return invalid('event_data.name', 'must start with a letter');
      if (data.schedule_type === 'Rate') {
        const rate = /^(\d+)([mhd])$/.exec(String(data.schedule));
        const max = { m: 60, h: 24, d: 30 } as const;
        if (!rate || Number(rate[1]) < 1 || Number(rate[1]) > max[rate[2] as keyof typeof max]) return invalid('event_data.schedule', 'a rate is 1-60m, 1-24h or 1-30d');
      } else if (data.schedule_type === 'Cron') {
        if (typeof data.schedule !== 'string' || !data.schedule.trim()) return invalid('event_data.schedule', 'is required');
      } else return invalid('event_data.schedule_type', 'must be Rate or Cron');
      return undefined;
    }
    if (body.trigger_type_code === 'OBS') {
      if (typeof data.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(data.bucket)) return invalid('event_data.bucket', 'must be a bucket name');
      if (!Array.isArray(data.events) || data.events.length === 0 || !data.events.every((e) => typeof e === 'string' && OBS_EVENTS.test(e))) {
        return invalid('event_data.events', 'must list OBS events such as ObjectCreated:*');
      }
      const clash = [...this.triggers.values()].flat().some((t) => t.type === 'OBS' && t.eventData.bucket === data.bucket);
      if (clash) return error(409, 'FSS.1103', `Bucket ${data.bucket} already has an OBS trigger`);
      return undefined;
    }
    return invalid('trigger_type_code', 'only TIMER and OBS are supported here');
  }
}

function triggerBody(trigger: DeployedTrigger) {
  return {
    trigger_id: trigger.id,
    trigger_type_code: trigger.type,
    event_type_code: trigger.eventTypeCode,
    trigger_status: trigger.status,
    event_data: trigger.eventData,
    created_time: trigger.createdTime,
    last_updated_time: trigger.createdTime,
  };
}
