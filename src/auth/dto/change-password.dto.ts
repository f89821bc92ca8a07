import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class ChangePasswordDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @ApiProperty({ type: String, format: 'password', minLength: 1, maxLength: 1024 })
  currentPassword!: string;

  /** Checked against the password policy by UsersService. */
  @IsString()
  @MaxLength(1024)
  @ApiProperty({
    type: String,
    format: 'password',
    maxLength: 1024,
    description: 'Must satisfy the password policy.',
  })
  newPassword!: string;
}
