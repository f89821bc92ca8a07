import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /api/setup/first-user`. The password's rules are the password policy's. */
export class CreateFirstUserDto {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(150)
  name!: string;

  @IsString({ message: 'password must be a string' })
  password!: string;
}
