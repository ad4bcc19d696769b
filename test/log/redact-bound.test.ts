import { describe, expect, it } from 'vitest';
import { MAX_RECENT_SECRETS, REDACTED, redactText, registerSecret } from '../../shared/log/redact';
import { parseStateUrl } from '../../shared/state/open';

// Its own file: vitest gives each file fresh modules, so filling the registry here disturbs no other test.
describe('the registry of known secrets is bounded', () => {
  it('keeps the newest secrets, forgets the oldest past the cap, and never the configuration’s', () => {
    parseStateUrl('redis://:store-password-1@127.0.0.1:6379');
    registerSecret('agency-token-old-1');
    registerSecret('agency-token-kept-1');
    for (let i = 0; i < MAX_RECENT_SECRETS - 1; i++) {
      registerSecret(`dcs-${i}-password`);
      if (i === MAX_RECENT_SECRETS - 2) registerSecret('agency-token-kept-1'); // met again: the newest once more
    }
    const text = redactText('agency-token-old-1 agency-token-kept-1 dcs-0-password store-password-1');
    expect(text).toBe(`agency-token-old-1 ${REDACTED} ${REDACTED} ${REDACTED}`);
    registerSecret('one-more-secret');
    expect(redactText('dcs-0-password')).toBe('dcs-0-password');
    expect(redactText(`dcs-${MAX_RECENT_SECRETS - 2}-password one-more-secret`)).toBe(`${REDACTED} ${REDACTED}`);
  });
});
