import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A password reset's or an invitation's link token, and the password chosen with it. */
export class SetPasswordWithTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  /** Checked against the password policy by UsersService. */
  @IsString()
  @MaxLength(1024)
  password!: string;
}
