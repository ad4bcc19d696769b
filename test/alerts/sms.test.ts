import { describe, expect, it } from 'vitest';
import { pageMessage, publishRequest } from '../../shared/alerts/page-text';
import type { Problem } from '../../shared/alerts/problems';
import { cutAtWord, SMS_MAX_CHARS, smsText } from '../../shared/alerts/sms-text';

const ODBC = '[Microsoft][ODBC Driver 17 for SQL Server][SQL Server]';
const chars = (text: string) => Array.from(text).length;

describe('the SMS text of a page', () => {
  it('has no square or CJK brackets, fits 490 characters, and keeps what broke and what to do', () => {
    const error = `${ODBC}The log in this backup set begins at LSN 42000000012300001, which is too recent to apply to the database. 【注意】 ${'More detail follows. '.repeat(100)}`;
    const sms = smsText({ title: '[restore-pilot] Restore failed: erp-prod', facts: ['the DRS restore of erp/ERP_LOG_1.trn ended FAILED.', `DRS error log: ${error}`], nextStep: 'Re-take the log backup and upload it again under the same name.' });
    expect(sms).not.toMatch(/[[\]【】]/);
    expect(chars(sms)).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(sms).toMatch(/^\(restore-pilot\) Restore failed: erp-prod: the DRS restore of erp\/ERP_LOG_1\.trn ended FAILED\. /);
    expect(sms).toContain('(Microsoft)(ODBC Driver 17 for SQL Server)');
    expect(sms.endsWith('Next: Re-take the log backup and upload it again under the same name.')).toBe(true);
  });

  it('cuts after a whole word, never inside one, and counts characters rather than bytes', () => {
    expect(cutAtWord('restore failed on the instance', 20)).toBe('restore failed on...');
    expect(cutAtWord('short', 20)).toBe('short');
    const cjk = smsText({ title: '还原失败', facts: ['数据库'.repeat(400)], nextStep: '重新上传' });
    expect(chars(cjk)).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(Buffer.byteLength(cjk)).toBeGreaterThan(SMS_MAX_CHARS); // characters, not bytes, are what SMS counts
  });

  it('a long next step is cut, but never crowds out the title', () => {
    const sms = smsText({ title: 'Restore stuck: erp-prod', facts: ['x '.repeat(300)], nextStep: 'wait '.repeat(200) });
    expect(sms.startsWith('Restore stuck: erp-prod:')).toBe(true);
    expect(sms).toContain('Next: wait');
    expect(chars(sms)).toBeLessThanOrEqual(SMS_MAX_CHARS);
  });

  it('is published beside the full page: email and default carry all of it, sms its short text', () => {
    const problem: Problem = { id: 'p', kind: 'restore-failed', scope: 'erp-prod', topicUrn: 'urn:smn:cn-north-4:p1:oncall', since: 0, title: 'Restore failed: erp-prod', details: ['What happened: boom.', `DRS error log: ${ODBC}${'y'.repeat(2000)}`], nextStep: 'Fix it.' };
    const request = publishRequest(pageMessage(problem, false));
    expect(request.subject).toBe('[restore-pilot] Restore failed: erp-prod');
    expect(request.message).toBeUndefined();
    const structure = JSON.parse(request.message_structure!) as Record<string, string>;
    expect(structure.email).toBe(structure.default);
    expect(structure.email).toContain(`${ODBC}${'y'.repeat(2000)}`);
    expect(structure.sms).toMatch(/^restore-pilot alert: Restore failed: erp-prod: boom\. DRS error log: \(Microsoft\)/);
  });

  it('a page too large for SMN together with its copies is cut to fit 256 KB', () => {
    const huge = { subject: 's', message: '"\n'.repeat(100_000), sms: 'short' };
    const request = publishRequest(huge);
    expect(Buffer.byteLength(request.message_structure!)).toBeLessThanOrEqual(256 * 1024);
    expect((JSON.parse(request.message_structure!) as { sms: string }).sms).toBe('short');
  });
});
