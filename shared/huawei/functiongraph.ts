import * as z from 'zod';
import { HuaweiApiError } from './errors';
import type { Transport } from './transport';
import { parseRequest, parseResponse, segment } from './validate';

/**
 * FunctionGraph v2 functions and triggers, as the deployer uses them. No reference page for it sits in
 * ../shared/reference; the shapes follow Huawei's public API pages (CreateFunction, ShowFunctionConfig,
 * UpdateFunctionCode, UpdateFunctionConfig, DeleteFunction, CreateFunctionTrigger,
 * ListFunctionTriggers, DeleteFunctionTrigger) and keep only the fields we send or read.
 */

export const MEMORY_SIZES = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096] as const;
export const FunctionName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,59}$/, 'must start with a letter and hold at most 60 letters, digits, hyphens and underscores');
export const FunctionUrn = z.string().regex(/^urn:fss:[a-z0-9-]+:[A-Za-z0-9-]+:function:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+(:[A-Za-z0-9_.-]+)?$/, 'must look like urn:fss:{region}:{project_id}:function:{package}:{name}');

const FunctionSettings = z.object({
  handler: z.string().regex(/^[A-Za-z0-9_./-]+\.[A-Za-z_$][\w$]*$/, 'must look like file.export, e.g. index.handler'),
  memory_size: z.union(MEMORY_SIZES.map((size) => z.literal(size))),
  timeout: z.number().int().min(3, 'must be at least 3 seconds').max(900, 'must be at most 900 seconds'),
  runtime: z.string().regex(/^Node\.js\d+(\.\d+)?$/, 'must be a Node.js runtime such as Node.js20.15'),
  /** Environment variables, as a JSON object in a string. */
  user_data: z.string().max(4096, 'must be at most 4 KB').optional(),
  /** Environment variables FunctionGraph keeps encrypted and never shows back. */
  encrypted_user_data: z.string().max(4096, 'must be at most 4 KB').optional(),
  /** Agency the function acts as; its temporary credentials reach the code through the context. */
  xrole: z.string().min(1).optional(),
  /** The VPC and subnet the function runs in: how it reaches a DCS Redis instance. Needs an agency (xrole). */
  func_vpc: z.object({ vpc_id: z.string().min(1), subnet_id: z.string().min(1) }).optional(),
  description: z.string().max(512).optional(),
});

const ZipCode = z.object({
  code_type: z.literal('zip'),
  code_filename: z.string().regex(/\.zip$/, 'must name a .zip file'),
  func_code: z.object({ file: z.string().min(1, 'must hold the base64 zip') }),
});

export const CreateFunctionRequest = FunctionSettings.extend({ func_name: FunctionName, package: z.string().min(1) }).extend(ZipCode.shape);
export type CreateFunctionRequest = z.input<typeof CreateFunctionRequest>;
export const UpdateFunctionConfigRequest = FunctionSettings.extend({ func_name: FunctionName });
export type UpdateFunctionConfigRequest = z.input<typeof UpdateFunctionConfigRequest>;
export type UpdateFunctionCodeRequest = z.input<typeof ZipCode>;

export const FunctionConfig = z.looseObject({
  func_urn: z.string(),
  func_name: z.string(),
  runtime: z.string(),
  handler: z.string(),
  memory_size: z.number(),
  timeout: z.number(),
  code_size: z.number().optional(),
  digest: z.string().optional(),
  last_modified: z.string().optional(),
});
export type FunctionConfig = z.output<typeof FunctionConfig>;

/** One page of ListFunctions: `marker` is where the next page starts. */
const FunctionPage = z.looseObject({
  functions: z.array(z.looseObject({ func_urn: z.string(), func_name: z.string() })),
  next_marker: z.number().optional(),
});
export type FunctionSummary = z.output<typeof FunctionPage>['functions'][number];

export const TriggerType = z.enum(['TIMER', 'OBS']);
export const TimerEventData = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter, at most 64 letters, digits, hyphens, underscores'),
  schedule_type: z.enum(['Rate', 'Cron']),
  schedule: z.string().min(1),
  user_event: z.string().optional(),
});
export const ObsEventData = z.object({
  bucket: z.string().min(3).max(63),
  events: z.array(z.string().regex(/^(s3:)?Object(Created|Removed):(\*|Put|Post|Copy|CompleteMultipartUpload|Delete|DeleteMarkerCreated)$/)).min(1),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
});
export const CreateTriggerRequest = z.discriminatedUnion('trigger_type_code', [
  z.object({ trigger_type_code: z.literal('TIMER'), event_type_code: z.string(), trigger_status: z.enum(['ACTIVE', 'DISABLED']), event_data: TimerEventData }),
  z.object({ trigger_type_code: z.literal('OBS'), event_type_code: z.string(), trigger_status: z.enum(['ACTIVE', 'DISABLED']), event_data: ObsEventData }),
]);
export type CreateTriggerRequest = z.input<typeof CreateTriggerRequest>;

export const Trigger = z.looseObject({
  trigger_id: z.string(),
  trigger_type_code: z.string(),
  trigger_status: z.string().optional(),
  event_data: z.record(z.string(), z.unknown()),
});
export type Trigger = z.output<typeof Trigger>;

const UrnParam = z.object({ urn: FunctionUrn });
const urnSegment = (urn: string) => segment(parseRequest('functiongraph', UrnParam, { urn }).urn);

export class FunctionGraphClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private functions(urn?: string) {
    const base = `/v2/${segment(this.projectId)}/fgs/functions`;
    return urn === undefined ? base : `${base}/${urnSegment(urn)}`;
  }

  private triggers(urn: string) {
    return `/v2/${segment(this.projectId)}/fgs/triggers/${urnSegment(urn)}`;
  }

  /** The function's configuration, or undefined when there is no such function. */
  async getFunctionConfig(urn: string): Promise<FunctionConfig | undefined> {
    const operation = 'functiongraph.showFunctionConfig';
    try {
      const response = await this.transport.send({ operation, service: 'functiongraph', method: 'GET', path: `${this.functions(urn)}/config`, retry: true });
      return parseResponse(operation, FunctionConfig, response.body, response.requestId);
    } catch (error) {
      if (error instanceof HuaweiApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async createFunction(request: CreateFunctionRequest): Promise<FunctionConfig> {
    const operation = 'functiongraph.createFunction';
    const body = parseRequest(operation, CreateFunctionRequest, request);
    const response = await this.transport.send({ operation, service: 'functiongraph', method: 'POST', path: this.functions(), body, retry: false });
    return parseResponse(operation, FunctionConfig, response.body, response.requestId);
  }

  /** Replacing code or configuration with the same content is harmless, so these are retried. */
  async updateFunctionCode(urn: string, request: UpdateFunctionCodeRequest): Promise<void> {
    const operation = 'functiongraph.updateFunctionCode';
    const body = parseRequest(operation, ZipCode, request);
    await this.transport.send({ operation, service: 'functiongraph', method: 'PUT', path: `${this.functions(urn)}/code`, body, retry: true });
  }

  async updateFunctionConfig(urn: string, request: UpdateFunctionConfigRequest): Promise<void> {
    const operation = 'functiongraph.updateFunctionConfig';
    const body = parseRequest(operation, UpdateFunctionConfigRequest, request);
    await this.transport.send({ operation, service: 'functiongraph', method: 'PUT', path: `${this.functions(urn)}/config`, body, retry: true });
  }

  /** Deleting what is already gone counts as done. */
  async deleteFunction(urn: string): Promise<void> {
    await this.ignoreNotFound(this.transport.send({ operation: 'functiongraph.deleteFunction', service: 'functiongraph', method: 'DELETE', path: this.functions(urn), retry: true }));
  }

  /** Every function of the project, page by page (at most 400 per page, FunctionGraph's maximum). */
  async listFunctions(): Promise<FunctionSummary[]> {
    const operation = 'functiongraph.listFunctions';
    const all: FunctionSummary[] = [];
    let marker = 0;
    for (;;) {
      const query = { marker: String(marker), maxitems: '400' };
      const response = await this.transport.send({ operation, service: 'functiongraph', method: 'GET', path: this.functions(), query, retry: true });
      const page = parseResponse(operation, FunctionPage, response.body, response.requestId);
      all.push(...page.functions);
      if (page.functions.length < 400 || page.next_marker === undefined || page.next_marker <= marker) return all;
      marker = page.next_marker;
    }
  }

  async listTriggers(urn: string): Promise<Trigger[]> {
    const operation = 'functiongraph.listFunctionTriggers';
    const response = await this.transport.send({ operation, service: 'functiongraph', method: 'GET', path: this.triggers(urn), retry: true });
    return parseResponse(operation, z.array(Trigger), response.body, response.requestId);
  }

  async createTrigger(urn: string, request: CreateTriggerRequest): Promise<Trigger> {
    const operation = 'functiongraph.createFunctionTrigger';
    const body = parseRequest(operation, CreateTriggerRequest, request);
    const response = await this.transport.send({ operation, service: 'functiongraph', method: 'POST', path: this.triggers(urn), body, retry: false });
    return parseResponse(operation, Trigger, response.body, response.requestId);
  }

  async deleteTrigger(urn: string, trigger: Pick<Trigger, 'trigger_type_code' | 'trigger_id'>): Promise<void> {
    const path = `${this.triggers(urn)}/${segment(trigger.trigger_type_code)}/${segment(trigger.trigger_id)}`;
    await this.ignoreNotFound(this.transport.send({ operation: 'functiongraph.deleteFunctionTrigger', service: 'functiongraph', method: 'DELETE', path, retry: true }));
  }

  private async ignoreNotFound(sent: Promise<unknown>): Promise<void> {
    try {
      await sent;
    } catch (error) {
      if (!(error instanceof HuaweiApiError && error.status === 404)) throw error;
    }
  }
}
