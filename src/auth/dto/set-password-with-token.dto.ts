import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A password reset's or an invitation's link token, and the password chosen with it. */
export class SetPasswordWithTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @ApiProperty({ type: String, minLength: 1, maxLength: 200 })
  token!: string;

  /** Checked against the password policy by UsersService. */
  @IsString()
  @MaxLength(1024)
  @ApiProperty({
    type: String,
    format: 'password',
    maxLength: 1024,
    description: 'Must satisfy the password policy.',
  })
  password!: string;
}
