import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  @ApiProperty({ type: String, minLength: 1, maxLength: 254, example: 'editor@example.com' })
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @ApiProperty({ type: String, format: 'password', minLength: 1, maxLength: 1024 })
  password!: string;
}
