import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RequestPasswordResetDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  @ApiProperty({ type: String, minLength: 1, maxLength: 254 })
  email!: string;
}
