import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, RequestValidationError } from '#src/errors/domain-error.js';
import { ValidateIf } from 'class-validator';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * DTOs validate and whitelist: unknown properties are refused, so a request can never
 * set a field its endpoint did not declare.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}

/**
 * `@Transform(queryBoolean)`: `true`/`false` in a query string become booleans; anything
 * else stays as it is and fails `@IsBoolean`.
 */
export function queryBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Left out: kept. Unlike `@IsOptional()`, null is not "left out": it is refused. */
export const IfGiven = (): PropertyDecorator =>
  ValidateIf((_object: unknown, value: unknown) => value !== undefined);
