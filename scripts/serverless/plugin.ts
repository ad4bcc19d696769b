import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport } from '../../shared/huawei/client';
import { FunctionGraphClient } from '../../shared/huawei/functiongraph';
import { createLogger } from '../../shared/log/logger';
import { ObsClient } from '../../shared/huawei/obs';
import { deployService, removeService } from './deploy';
import { readDocuments } from './documents';
import { packageFunctions } from './package';
import { preflight } from './preflight';
import { parseServiceSpec, type ServiceSpec } from './spec';

/** The parts of Serverless Framework v3 this provider touches. */
interface Serverless {
  serviceDir: string;
  service: {
    service: string;
    provider: Record<string, unknown>;
    functions: Record<string, Record<string, unknown>>;
    getFunction(key: string): Record<string, unknown> & { package?: Record<string, unknown> };
  };
  setProvider(name: string, provider: object): void;
  /** ServerlessError: printed as a message, without a stack trace. */
  classes: { Error: new (message: string) => Error };
  configSchemaHandler: { defineProvider(name: string, options: object): void };
}

interface PluginUtils {
  log: { notice(text: string): void; info(text: string): void };
}

const memorySize = { enum: [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096] };
const timeout = { type: 'integer', minimum: 3, maximum: 900 };
const environment = { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } };

/**
 * `provider: name: huawei` for Serverless Framework v3, in place of serverless-huawei-functions (not on
 * the registry we can reach). `package` builds one zip per function with esbuild; `deploy` and
 * `remove` go through the FunctionGraph API, signed by the same client the functions use.
 * Credentials: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID; the
 * FunctionGraph endpoint is https://functiongraph.{region}.myhuaweicloud.com unless
 * FUNCTIONGRAPH_ENDPOINT replaces it (the local cloud).
 */
export class HuaweiProvider {
  static getProviderName() {
    return 'huawei';
  }

  readonly hooks: Record<string, () => Promise<void>>;

  constructor(
    private readonly serverless: Serverless,
    private readonly options: { package?: string },
    private readonly utils: PluginUtils,
  ) {
    serverless.setProvider('huawei', this);
    serverless.configSchemaHandler.defineProvider('huawei', {
      provider: {
        properties: {
          region: { type: 'string' },
          runtime: { type: 'string' },
          app: { type: 'string' },
          agency: { type: 'string' },
          vpc: { type: 'object', properties: { vpcId: { type: 'string' }, subnetId: { type: 'string' } }, additionalProperties: false },
          memorySize,
          timeout,
          environment,
          environmentLimit: { enum: [2048, 4096] },
        },
      },
      function: { properties: { handler: { type: 'string' }, memorySize, timeout, environment } },
      functionEvents: {
        obs: {
          type: 'object',
          properties: { bucket: { type: 'string' }, events: { type: 'array', items: { type: 'string' } }, prefix: { type: 'string' }, suffix: { type: 'string' } },
          required: ['bucket'],
          additionalProperties: false,
        },
        timer: {
          type: 'object',
          properties: { name: { type: 'string' }, schedule: { type: 'string' }, input: { type: 'string' } },
          required: ['name', 'schedule'],
          additionalProperties: false,
        },
      },
    });
    // Every failure here is the user's to act on (config, credentials, the API's answer): say it plainly.
    const plainly = (step: () => Promise<void>) => () => step().catch((error: Error) => Promise.reject(new serverless.classes.Error(error.message)));
    this.hooks = {
      'before:package:createDeploymentArtifacts': plainly(() => this.package()),
      'deploy:deploy': plainly(() => this.deploy()),
      'remove:remove': plainly(() => this.remove()),
    };
  }

  private get packageDir() {
    return resolve(this.serverless.serviceDir, this.options.package ?? '.serverless');
  }

  private async package(): Promise<void> {
    const keys = Object.keys(this.serverless.service.functions);
    for (const key of keys) {
      if (!existsSync(join(this.serverless.serviceDir, 'functions', key, 'index.ts'))) {
        throw new Error(`serverless.yml: functions.${key}: there is no functions/${key}/index.ts to bundle`);
      }
    }
    const zips = await packageFunctions(keys, this.packageDir);
    for (const [key, path] of zips) {
      // With an artifact set, the framework's own packager (which would zip node_modules) skips the function.
      const fn = this.serverless.service.getFunction(key);
      fn.package = { ...fn.package, artifact: path };
      this.utils.log.notice(`packaged ${key} -> ${path}`);
    }
  }

  private connect(): { client: FunctionGraphClient; obs: ObsClient; spec: ServiceSpec } {
    const { service } = this.serverless;
    const region = typeof service.provider.region === 'string' ? service.provider.region : '';
    const { transport, projectId, endpoints } = createTransport({ env: { ...process.env, HUAWEICLOUD_REGION: region }, logger: createLogger({ level: 'error' }) });
    const functions = Object.fromEntries(Object.entries(service.functions).map(([key, { package: _artifact, ...fn }]) => [key, fn]));
    const spec = parseServiceSpec({ service: service.service, provider: service.provider, functions }, projectId);
    return { client: new FunctionGraphClient(transport, projectId), obs: new ObsClient(transport, endpoints.obs), spec };
  }

  private async deploy(): Promise<void> {
    const { client, obs, spec } = this.connect();
    preflight(spec, await readDocuments(spec, obs));
    const zips = new Map<string, Buffer>();
    for (const fn of spec.functions) {
      const path = join(this.packageDir, `${fn.key}.zip`);
      if (!existsSync(path)) throw new Error(`no package for ${fn.key} at ${path}; run serverless package`);
      zips.set(fn.key, await readFile(path));
    }
    await deployService(client, spec, zips, (line) => this.utils.log.notice(line));
  }

  private async remove(): Promise<void> {
    const { client, spec } = this.connect();
    await removeService(client, spec, (line) => this.utils.log.notice(line));
  }
}
