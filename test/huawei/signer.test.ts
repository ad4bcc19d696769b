import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { describe, expect, it } from 'vitest';
import { signRequest, type QueryParams } from '../../shared/huawei/signer';
import { segment } from '../../shared/huawei/validate';

/** Deterministic pseudo-random generator so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const ALPHABET = ['a', 'Z', '0', '-', '_', '.', '~', ' ', '+', ':', '/', '%', '&', '=', '?', '@', '!', '*', "'", '(', '中', 'é', '😀'];

describe('signRequest', () => {
  it('produces the same Authorization as the official SDK signer over 500 generated requests', () => {
    const random = rng(42);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(ALPHABET)).join('');
    for (let i = 0; i < 500; i++) {
      const query: QueryParams = {};
      for (let q = Math.floor(random() * 4); q > 0; q--) {
        query[`k${text(4)}`] = random() < 0.3 ? [text(6), text(6), text(6)] : text(10);
      }
      const path = `/v5/${segment(text(8) || 'p')}/backup-migration-jobs${random() < 0.5 ? '/' + segment(text(6)) : ''}`;
      const body = random() < 0.5 ? JSON.stringify({ name: text(20), n: i, nested: { list: [text(3)] } }) : undefined;
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (random() < 0.5) headers['X-Security-Token'] = text(30) || 'tok';
      if (random() < 0.3) headers['X-Project-Id'] = 'p1';
      const key = { ak: 'AK' + text(10), sk: 'SK' + text(20) };
      const now = new Date(Date.UTC(2026, 10, 20, 9, 49, Math.floor(random() * 60)));

      const method = body ? 'POST' : 'GET';
      const ours = signRequest({ method, path, host: '127.0.0.1:9000', query, headers, body }, key, now);
      const official = AKSKSigner.sign(
        {
          method,
          endpoint: `http://127.0.0.1:9000${path}`,
          headers: { ...headers, host: '127.0.0.1:9000', 'X-Sdk-Date': ours['X-Sdk-Date'] },
          queryParams: structuredClone(query),
          data: body ? JSON.parse(body) : undefined,
        },
        { getAk: () => key.ak, getSk: () => key.sk } as never,
      ) as Record<string, string>;
      expect(ours.Authorization, `request ${i}: ${path}`).toBe(official.Authorization);
    }
  });

  it('changes when any signed part changes', () => {
    const base = { method: 'GET', path: '/v3/p/backups', host: 'h', query: { begin_time: '2018-08-06T10:41:14+0800' }, headers: {} };
    const key = { ak: 'AK1', sk: 'SK1' };
    const now = new Date(0);
    const signature = signRequest(base, key, now).Authorization;
    expect(signRequest({ ...base, query: { begin_time: '2018-08-06T10:41:14 0800' } }, key, now).Authorization).not.toBe(signature);
    expect(signRequest({ ...base, path: '/v3/q/backups' }, key, now).Authorization).not.toBe(signature);
    expect(signRequest(base, { ak: 'AK1', sk: 'SK2' }, now).Authorization).not.toBe(signature);
    expect(signRequest(base, key, new Date(1000)).Authorization).not.toBe(signature);
  });
});
