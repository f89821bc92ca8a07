import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PersonName } from '#src/accounts/dto/person-name.js';

/**
 * `PATCH /api/admin/users/:id`. Passwords and token versions are not here: nobody sets
 * them through this endpoint, and the validation pipe refuses properties it does not list.
 */
export class UpdateUserDto {
  @IsOptional()
  @IsString()
  @MaxLength(150)
  @ApiPropertyOptional({ type: String, maxLength: 150 })
  @PersonName()
  name?: string;

  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  @ApiPropertyOptional({ type: String, format: 'email', maxLength: 254 })
  email?: string;

  @IsOptional()
  @IsBoolean({ message: 'isActive must be true or false' })
  @ApiPropertyOptional({ type: Boolean })
  isActive?: boolean;

  /** Only a superuser may send this. */
  @IsOptional()
  @IsBoolean({ message: 'isSuperuser must be true or false' })
  @ApiPropertyOptional({ type: Boolean, description: 'Only a superuser may send this.' })
  isSuperuser?: boolean;

  /** A BCP 47 tag such as `en` or `pt-BR`; null clears it. */
  @ValidateIf((dto: UpdateUserDto) => dto.preferredLocale !== null)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(35)
  @Matches(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, {
    message: 'preferredLocale must be a language tag such as en or pt-BR',
  })
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 35,
    pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$',
    description: 'A BCP 47 tag such as en or pt-BR; null clears it.',
  })
  preferredLocale?: string | null;
}
