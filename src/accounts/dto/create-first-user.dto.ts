import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PersonName } from '#src/accounts/dto/person-name.js';

/** `POST /api/setup/first-user`. The password's rules are the password policy's. */
export class CreateFirstUserDto {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  @ApiProperty({ type: String, format: 'email', maxLength: 254 })
  email!: string;

  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(150)
  @ApiProperty({ type: String, minLength: 1, maxLength: 150 })
  @PersonName()
  name!: string;

  @IsString({ message: 'password must be a string' })
  @ApiProperty({
    type: String,
    format: 'password',
    description: 'Must satisfy the password policy.',
  })
  password!: string;
}
