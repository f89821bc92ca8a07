import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  currentPassword!: string;

  /** Checked against the password policy by UsersService. */
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}
