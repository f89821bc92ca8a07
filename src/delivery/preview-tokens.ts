import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a preview token lets its bearer see: one page's draft, or every draft of a site. */
export type PreviewScope = { kind: 'page'; id: string } | { kind: 'site'; id: string };

export interface PreviewClaims {
  scope: PreviewScope;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const PREFIX = 'fpv1';

/**
 * Preview tokens: `fpv1.<payload>.<signature>`, the payload base64url JSON and the signature
 * an HMAC-SHA256 of it with a key derived from SECRET_KEY for this purpose only (so a
 * preview token can never pass for any other signed value). Stateless: a token is valid
 * until it expires; rotate SECRET_KEY to revoke every one.
 */
export class PreviewTokenSigner {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = createHmac('sha256', secretKey).update('finch:preview-token:v1').digest();
  }

  sign(claims: PreviewClaims): string {
    const payload = Buffer.from(
      JSON.stringify({ k: claims.scope.kind, i: claims.scope.id, e: claims.expiresAt }),
    ).toString('base64url');
    return `${PREFIX}.${payload}.${this.signature(payload)}`;
  }

  /** The claims of a valid token; `'invalid'` or `'expired'` otherwise. */
  verify(
    token: string,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): PreviewClaims | 'invalid' | 'expired' {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) return 'invalid';
    const [, payload, signature] = parts;
    const expected = Buffer.from(this.signature(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return 'invalid';
    }
    if (typeof decoded !== 'object' || decoded === null) return 'invalid';
    const { k, i, e } = decoded as Record<string, unknown>;
    if ((k !== 'page' && k !== 'site') || typeof i !== 'string' || typeof e !== 'number') {
      return 'invalid';
    }
    if (e <= nowSeconds) return 'expired';
    return { scope: { kind: k, id: i }, expiresAt: e };
  }

  private signature(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
