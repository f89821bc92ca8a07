import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '#src/auth/access.decorators.js';
import {
  type ApiTokenView,
  ApiTokensService,
  type CreatedApiToken,
} from '#src/auth/api-tokens.service.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CreateApiTokenDto } from '#src/auth/dto/create-api-token.dto.js';

/**
 * The signed-in user's API tokens. Only a person's session may manage them: a token
 * cannot make more tokens.
 */
@ApiTags('API tokens')
@ApiBearerAuth()
@Controller('api/auth/tokens')
@Authenticated({ apiTokens: false })
export class ApiTokensController {
  constructor(private readonly apiTokens: ApiTokensService) {}

  /** Answers with the token itself, this once. */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  create(
    @Body() body: CreateApiTokenDto,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<CreatedApiToken> {
    return this.apiTokens.create(principal.user.id, {
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expiresAt === undefined ? undefined : new Date(body.expiresAt),
    });
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@CurrentPrincipal() principal: AuthPrincipal): Promise<{ items: ApiTokenView[] }> {
    return { items: await this.apiTokens.list(principal.user.id) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<void> {
    await this.apiTokens.revoke(principal.user.id, id);
  }
}
