import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '#src/auth/access.decorators.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CreatePreviewTokenDto } from '#src/delivery/dto/create-preview-token.dto.js';
import {
  type PreviewTokenView,
  PreviewTokensService,
} from '#src/delivery/preview-tokens.service.js';

/** Preview tokens: signed, short-lived links to drafts, for the frontend's preview mode. */
@ApiTags('Preview')
@ApiBearerAuth()
@Controller('api/admin/preview-tokens')
export class PreviewTokensController {
  constructor(private readonly previewTokens: PreviewTokensService) {}

  /** Checks `change_page` on the page (or the site's root) itself, not model-wide. */
  @Post()
  @Authenticated()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Issue a preview token for a page or a whole site',
    description:
      'The delivery API returns the latest drafts to requests carrying it (`?preview_token=` or `X-Preview-Token`) until it expires (PREVIEW_TOKEN_TTL_SECONDS).',
  })
  issue(
    @Body() body: CreatePreviewTokenDto,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<PreviewTokenView> {
    return this.previewTokens.issue(body, principal.user);
  }
}
