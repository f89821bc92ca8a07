import { Matches } from 'class-validator';

/**
 * A person's name goes into email headers (`To: Ada Lovelace <ada@…>`): line breaks and
 * other control characters are refused here, where the mistake is made, not when a mail
 * to them later fails.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const PERSON_NAME_PATTERN = /^[^\u0000-\u001f\u007f]*$/;

export function PersonName(): PropertyDecorator {
  return Matches(PERSON_NAME_PATTERN, {
    message: 'name must not contain line breaks or other control characters',
  });
}
