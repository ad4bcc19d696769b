import { describe, expect, it } from 'vitest';
import { createHuaweiClient } from '../../shared/huawei/client';
import { resolveCredentials, resolveProjectId } from '../../shared/huawei/credentials';
import { resolveEndpoints } from '../../shared/huawei/endpoints';
import { ConfigError } from '../../shared/huawei/errors';

describe('endpoints', () => {
  it('builds https://{service}.{region}.myhuaweicloud.com, TaurusDB under gaussdb', () => {
    const endpoints = resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(endpoints.drs.href).toBe('https://drs.cn-north-4.myhuaweicloud.com/');
    expect(endpoints.taurusdb.href).toBe('https://gaussdb.cn-north-4.myhuaweicloud.com/');
    expect(endpoints.rds.href).toBe('https://rds.cn-north-4.myhuaweicloud.com/');
    expect(resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4', RDS_ENDPOINT: 'http://127.0.0.1:9000' }).rds.href).toBe('http://127.0.0.1:9000/');
    expect(endpoints.smn.href).toBe('https://smn.cn-north-4.myhuaweicloud.com/');
  });

  it('takes overrides, plain http only on loopback', () => {
    expect(resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4', DRS_ENDPOINT: 'http://127.0.0.1:9000' }).drs.href).toBe('http://127.0.0.1:9000/');
    expect(resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4', DRS_ENDPOINT: 'http://[::1]:9000' }).drs.host).toBe('[::1]:9000');
    expect(() => resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4', DRS_ENDPOINT: 'http://drs.example.com' })).toThrow(/DRS_ENDPOINT.*https/);
    expect(() => resolveEndpoints({ HUAWEICLOUD_REGION: 'cn-north-4', SMN_ENDPOINT: 'not a url' })).toThrow(/SMN_ENDPOINT/);
  });

  it('names HUAWEICLOUD_REGION when it is missing or malformed', () => {
    expect(() => resolveEndpoints({})).toThrow(ConfigError);
    expect(() => resolveEndpoints({})).toThrow(/HUAWEICLOUD_REGION/);
    expect(() => resolveEndpoints({ HUAWEICLOUD_REGION: 'north 4' })).toThrow(/HUAWEICLOUD_REGION/);
  });
});

describe('credentials and project id', () => {
  const agency = {
    getSecurityAccessKey: () => 'AGENCYAK0001',
    getSecuritySecretKey: () => 'agency-sk-0001',
    getSecurityToken: () => 'agency-token-0001',
    getProjectID: () => 'ctxproject',
  };

  it('environment first, with its optional security token', () => {
    expect(resolveCredentials({ HUAWEICLOUD_SDK_AK: 'ENVAK1', HUAWEICLOUD_SDK_SK: 'envsk1', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'envtoken1' }, agency)).toEqual({
      ak: 'ENVAK1',
      sk: 'envsk1',
      securityToken: 'envtoken1',
      source: 'environment',
    });
  });

  it('then the FunctionGraph agency credentials', () => {
    expect(resolveCredentials({}, agency)).toEqual({ ak: 'AGENCYAK0001', sk: 'agency-sk-0001', securityToken: 'agency-token-0001', source: 'agency' });
    expect(resolveProjectId({}, agency)).toBe('ctxproject');
    expect(resolveProjectId({ HUAWEICLOUD_SDK_PROJECT_ID: 'envproject' }, agency)).toBe('envproject');
  });

  it('none at all fails at start naming the variables; half a pair names the missing half', () => {
    expect(() => resolveCredentials({}, {})).toThrow(/HUAWEICLOUD_SDK_AK.*agency/);
    expect(() => resolveCredentials({ HUAWEICLOUD_SDK_AK: 'x' }, agency)).toThrow(/HUAWEICLOUD_SDK_SK/);
    expect(() => createHuaweiClient({ env: { HUAWEICLOUD_REGION: 'cn-north-4' }, context: {} })).toThrow(/HUAWEICLOUD_SDK_AK/);
    expect(() => createHuaweiClient({ env: { HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_AK: 'a', HUAWEICLOUD_SDK_SK: 'b' } })).toThrow(/HUAWEICLOUD_SDK_PROJECT_ID/);
  });

  it('tolerates a context whose getters are missing or throw', () => {
    const broken = { getSecurityAccessKey: () => { throw new Error('no agency'); }, getProjectID: () => '' };
    expect(() => resolveCredentials({}, broken)).toThrow(ConfigError);
    expect(() => resolveProjectId({}, broken)).toThrow(/HUAWEICLOUD_SDK_PROJECT_ID/);
  });
});
