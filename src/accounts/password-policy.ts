import { Injectable } from '@nestjs/common';
import { COMMON_PASSWORDS_TEXT } from '#src/accounts/common-passwords.js';
import { normalizeEmail } from '#src/accounts/user.entity.js';
import type { FieldError } from '#src/errors/domain-error.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * NIST SP 800-63B and OWASP ASVS 2.1: length, not a common password, not the email.
 * No composition rules (they make passwords weaker, not stronger), no truncation.
 */
@Injectable()
export class PasswordPolicy {
  private readonly common = new Set(COMMON_PASSWORDS_TEXT.split('\n'));

  /** Problems with `password`, each naming `field`; empty when it is acceptable. */
  check(password: string, context: { email?: string; field?: string } = {}): FieldError[] {
    const path = context.field ?? 'password';
    // Length in characters as people count them, not UTF-16 units.
    const length = [...password].length;
    if (length < PASSWORD_MIN_LENGTH) {
      return [{ path, message: `must be at least ${PASSWORD_MIN_LENGTH} characters long` }];
    }
    if (length > PASSWORD_MAX_LENGTH) {
      return [{ path, message: `must be at most ${PASSWORD_MAX_LENGTH} characters long` }];
    }
    const lowered = password.toLowerCase();
    if (this.common.has(lowered)) {
      return [{ path, message: 'is one of the most common passwords; choose another' }];
    }
    if (context.email && lowered.trim() === normalizeEmail(context.email)) {
      return [{ path, message: 'must not be your email address' }];
    }
    return [];
  }
}
