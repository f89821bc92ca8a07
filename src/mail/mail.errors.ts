import { DomainError, type FieldError } from '#src/errors/domain-error.js';

/** One or more recipients (or reply-to addresses) are not addresses Finch will send to. */
export class InvalidMailAddressError extends DomainError {
  readonly slug = 'invalid-mail-address';
  readonly status = 400;
  readonly title = 'A mail address is not valid';

  constructor(errors: FieldError[]) {
    super(
      `${errors.length === 1 ? 'A mail address is' : `${errors.length} mail addresses are`} not valid: see errors for each one. Nothing was sent.`,
      errors,
    );
  }
}

/**
 * The subject rendered from the template and its context holds a line break or another
 * control character: in a mail header it could forge more headers, so nothing is sent.
 */
export class InvalidMailSubjectError extends DomainError {
  readonly slug = 'invalid-mail-subject';
  readonly status = 400;
  readonly title = 'The mail subject is not valid';

  constructor(template: string, reason: string) {
    super(
      `The subject of the "${template}" message ${reason}. Remove line breaks and control characters from the values it shows. Nothing was sent.`,
      [{ path: 'subject', message: reason }],
    );
  }
}

/** A template name with no folder in src/mail/templates: a mistake in code, not in input. */
export class UnknownMailTemplateError extends Error {
  constructor(template: string, known: string[]) {
    super(
      `There is no mail template "${template}" (known: ${known.join(', ') || 'none'}). Add src/mail/templates/${template}/ with subject.hbs, text.hbs and html.hbs.`,
    );
    this.name = 'UnknownMailTemplateError';
  }
}
