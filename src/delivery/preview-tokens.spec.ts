import { describe, expect, it } from '@jest/globals';
import { PreviewTokenSigner } from '#src/delivery/preview-tokens.js';

const signer = new PreviewTokenSigner('a secret key of the right length for tests!!');
const claims = { scope: { kind: 'page' as const, id: 'p1' }, expiresAt: 2_000 };

describe('PreviewTokenSigner', () => {
  it('verifies its own tokens until they expire', () => {
    const token = signer.sign(claims);
    expect(signer.verify(token, 1_999)).toEqual(claims);
    expect(signer.verify(token, 2_000)).toBe('expired');
  });

  it('refuses a token signed with another key', () => {
    const other = new PreviewTokenSigner('another secret key of the right length!!!!');
    expect(signer.verify(other.sign(claims), 1_000)).toBe('invalid');
  });

  it('refuses a token whose payload was changed', () => {
    const [prefix, , signature] = signer.sign(claims).split('.');
    const forged = Buffer.from(JSON.stringify({ k: 'site', i: 'p1', e: 2_000 })).toString(
      'base64url',
    );
    expect(signer.verify(`${prefix}.${forged}.${signature}`, 1_000)).toBe('invalid');
  });

  it.each(['', 'x', 'fpv1.a', 'fpv1..', 'fpv2.a.b', 'fpv1.%%%.b'])(
    'refuses garbage %j',
    (token) => {
      expect(signer.verify(token, 1_000)).toBe('invalid');
    },
  );
});
