import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with OWASP's minimum: 19 MiB of memory, 2 iterations, 1 lane. Raise these and
 * every user's hash is upgraded the next time they sign in (see needsRehash).
 */
export const ARGON2_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash nobody's password matches: verifying against it costs as much as a real check. */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$Jv1wRvfCy6IpjOofn58LSg$qDjHyZK3l9vezYMFvI/p+oAW5/3pi5jtW8Hz48iYXmA';

@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, { algorithm: Algorithm.Argon2id, ...ARGON2_PARAMETERS });
  }

  /**
   * Whether `password` matches `encoded`. With no hash (unknown user, invited user) it
   * still spends the time of a real check, so timing does not tell who has an account.
   */
  async verify(encoded: string | null | undefined, password: string): Promise<boolean> {
    try {
      const matches = await verify(encoded ?? DUMMY_HASH, password);
      return Boolean(encoded) && matches;
    } catch {
      return false;
    }
  }

  /** True when `encoded` was made with weaker parameters than today's. */
  needsRehash(encoded: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
    if (!match) return true;
    const [memory, time, lanes] = match.slice(1).map(Number);
    return (
      memory < ARGON2_PARAMETERS.memoryCost ||
      time < ARGON2_PARAMETERS.timeCost ||
      lanes !== ARGON2_PARAMETERS.parallelism
    );
  }
}
