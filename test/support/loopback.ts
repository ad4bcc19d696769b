import { Pool } from 'undici';
import { createHuaweiClient, type HuaweiClient, type HuaweiClientOptions } from '../../shared/huawei/client';
import { resolveEndpoints } from '../../shared/huawei/endpoints';
import { PoolCache } from '../../shared/huawei/transport';
import type { CloudHarness } from './cloud';

/** Stands in for DNS: every *.myhuaweicloud.com name resolves to the local cloud on loopback; records the origins asked for. */
export class LoopbackPools extends PoolCache {
  readonly origins: string[] = [];
  private readonly own = new Map<string, Pool>();
  override get(origin: string): Pool {
    this.origins.push(origin);
    let pool = this.own.get(origin);
    if (!pool) {
      const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
        options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
      pool = new Pool(origin, { connect: { lookup } as never });
      this.own.set(origin, pool);
    }
    return pool;
  }
  override async close() {
    await Promise.all([...this.own.values()].map((p) => p.close()));
  }
}

/** A client addressing OBS at its real name (virtual-hosted: the bucket in the Host), reaching the local cloud. */
export function realNameObsClient(h: CloudHarness, options: Partial<HuaweiClientOptions> = {}): { client: HuaweiClient; pools: LoopbackPools; port: string } {
  const pools = new LoopbackPools();
  const port = new URL(h.cloud.url).port;
  const endpoints = { ...resolveEndpoints(h.cloud.env()), obs: new URL(`http://obs.cn-north-4.myhuaweicloud.com:${port}`) };
  return { client: createHuaweiClient({ env: h.cloud.env(), endpoints, pools, logger: h.logs.logger, ...options }), pools, port };
}
