import { resolveCredentials, resolveProjectId, type Credentials } from './credentials';
import { DcsClient } from './dcs';
import { DrsClient } from './drs';
import { resolveEndpoints, type Endpoints } from './endpoints';
import { ObsClient } from './obs';
import { RdsClient } from './rds';
import { SmnClient } from './smn';
import { TaurusDbClient } from './taurusdb';
import { Transport, type TransportOptions } from './transport';
import { remainingTimeMs, type FunctionGraphContext } from '../functiongraph/context';
import { createLogger, type Logger } from '../log/logger';
import type { Settings } from '../settings';

export interface HuaweiClient {
  drs: DrsClient;
  dcs: DcsClient;
  taurusdb: TaurusDbClient;
  /** RDS for SQL Server instances: the target's engine version, for the preflight. */
  rds: RdsClient;
  smn: SmnClient;
  obs: ObsClient;
  projectId: string;
  endpoints: Endpoints;
}

export interface HuaweiClientOptions extends Partial<Omit<TransportOptions, 'endpoints' | 'credentials' | 'logger'>> {
  /** The functions pass readSettings(context, process.env); process.env itself serves elsewhere. */
  env?: Settings;
  context?: FunctionGraphContext;
  logger?: Logger;
  /** Overrides what the environment and context would give. */
  credentials?: Credentials;
  projectId?: string;
  endpoints?: Endpoints;
}

/**
 * The one client every function uses. Resolves endpoints, credentials and project id up front so a
 * missing setting fails at start with the variable's name, not at the first call.
 */
export function createHuaweiClient(options: HuaweiClientOptions = {}): HuaweiClient {
  const { transport, projectId, endpoints } = createTransport(options);
  return {
    drs: new DrsClient(transport, projectId),
    dcs: new DcsClient(transport, projectId),
    taurusdb: new TaurusDbClient(transport, projectId),
    rds: new RdsClient(transport, projectId),
    smn: new SmnClient(transport, projectId),
    obs: new ObsClient(transport, endpoints.obs),
    projectId,
    endpoints,
  };
}

/** The signed transport alone, for clients the functions never use (FunctionGraph, for deploys). */
export function createTransport(options: HuaweiClientOptions = {}): { transport: Transport; projectId: string; endpoints: Endpoints } {
  const env = options.env ?? process.env;
  const { context } = options;
  const endpoints = options.endpoints ?? resolveEndpoints(env);
  const credentials = options.credentials ?? resolveCredentials(env, context);
  const projectId = options.projectId ?? resolveProjectId(env, context);
  const transport = new Transport({
    remainingTimeMs: () => remainingTimeMs(context),
    ...options,
    endpoints,
    credentials,
    logger: options.logger ?? createLogger(),
  });
  return { transport, projectId, endpoints };
}
