import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/** PostgreSQL cannot store NUL in text: refuse it as the client's mistake, naming the field. */
export function NoNulCharacters(): PropertyDecorator {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
  return Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' });
}

/** Names are trimmed: ` Legal ` and `Legal` are one name, and a blank one is refused as empty. */
export function TrimmedName(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() : value,
  );
}
