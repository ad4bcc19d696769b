import { describe, expect, it } from 'vitest';
import { HuaweiApiError } from '../../shared/huawei/errors';
import { resolveCredentials } from '../../shared/huawei/credentials';
import { createLogger, loggerForInvocation } from '../../shared/log/logger';
import { REDACTED, redact } from '../../shared/log/redact';

describe('structured logger', () => {
  it('writes one JSON line per event with level, event, request id and fields through the context logger', () => {
    const seen: [string, string][] = [];
    const context = {
      getRequestID: () => 'req-123',
      getLogger: () => ({ info: (m: string) => seen.push(['info', m]), warn: (m: string) => seen.push(['warn', m]), error: (m: string) => seen.push(['error', m]) }),
    };
    const logger = loggerForInvocation(context, {});
    logger.info('record.submitted', { chain: 'erp-prod', file: 'erp/a.bak' });
    logger.child({ chain: 'erp-prod' }).error('record.failed', { reason: 'boom' });
    logger.debug('hidden at info level');
    expect(seen).toHaveLength(2);
    expect(seen[0]![0]).toBe('info');
    expect(JSON.parse(seen[0]![1])).toMatchObject({ level: 'info', event: 'record.submitted', requestId: 'req-123', chain: 'erp-prod', file: 'erp/a.bak' });
    expect(JSON.parse(seen[1]![1])).toMatchObject({ level: 'error', event: 'record.failed', chain: 'erp-prod', reason: 'boom' });
  });
});

describe('redaction', () => {
  it('no AK, SK, token or password reaches a log line, whatever the field or message carries it', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (_l, line) => lines.push(line) });
    const credentials = resolveCredentials({ HUAWEICLOUD_SDK_AK: 'AKSECRETVALUE0001', HUAWEICLOUD_SDK_SK: 'sk-secret-value-0001', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'token-secret-0001' });
    logger.info('everything', {
      credentials,
      headers: { Authorization: 'SDK-HMAC-SHA256 Access=AKUNREGISTERED01, SignedHeaders=host, Signature=abc', 'X-Security-Token': 'token-secret-0001' },
      note: `someone pasted sk-secret-value-0001 and AKSECRETVALUE0001 into text`,
      nested: [{ source_instance: { password: 'pw-should-hide' }, db_password: 'also-hidden', redis_token: 'tok' }],
      error: new HuaweiApiError({ operation: 'drs.getBackupMigrationJob', kind: 'http', status: 400, errorMsg: 'bad token token-secret-0001' }),
    });
    const text = lines.join('\n');
    for (const secret of ['AKSECRETVALUE0001', 'sk-secret-value-0001', 'token-secret-0001', 'AKUNREGISTERED01', 'pw-should-hide', 'also-hidden']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    expect(JSON.parse(lines[0]!).error).toMatchObject({ operation: 'drs.getBackupMigrationJob', status: 400 });
  });

  it('keeps ordinary fields intact', () => {
    expect(redact({ chain: 'erp', status: 'PRECHECK FAILED', count: 3, items: [1, null] })).toEqual({ chain: 'erp', status: 'PRECHECK FAILED', count: 3, items: [1, null] });
  });
});
