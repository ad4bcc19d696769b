import { isIP } from 'node:net';
import { ConfigError } from './errors';
import type { Settings } from '../settings';

export const SERVICES = {
  drs: { host: 'drs', env: 'DRS_ENDPOINT' },
  dcs: { host: 'dcs', env: 'DCS_ENDPOINT' },
  taurusdb: { host: 'gaussdb', env: 'TAURUSDB_ENDPOINT' },
  rds: { host: 'rds', env: 'RDS_ENDPOINT' },
  smn: { host: 'smn', env: 'SMN_ENDPOINT' },
  obs: { host: 'obs', env: 'OBS_ENDPOINT' },
  functiongraph: { host: 'functiongraph', env: 'FUNCTIONGRAPH_ENDPOINT' },
} as const;

export type Service = keyof typeof SERVICES;
export type Endpoints = Record<Service, URL>;

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function parseOverride(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a URL; give a full base URL such as https://drs.cn-north-4.myhuaweicloud.com');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConfigError(name, `must use https (plain http is accepted only for loopback hosts), got ${url.protocol}//${url.host}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, 'must be a base URL without query, fragment or user info');
  }
  return url;
}

/** `https://{service}.{region}.myhuaweicloud.com`, each replaceable by its *_ENDPOINT variable. */
export function resolveEndpoints(env: Settings): Endpoints {
  const region = env.HUAWEICLOUD_REGION;
  const entries = Object.entries(SERVICES).map(([service, { host, env: name }]) => {
    const override = env[name];
    if (override) return [service, parseOverride(name, override)];
    if (!region) throw new ConfigError('HUAWEICLOUD_REGION', `is not set and ${name} does not override it`);
    if (!REGION.test(region)) throw new ConfigError('HUAWEICLOUD_REGION', `"${region}" is not a region name such as cn-north-4`);
    return [service, new URL(`https://${host}.${region}.myhuaweicloud.com`)];
  });
  return Object.fromEntries(entries) as Endpoints;
}
