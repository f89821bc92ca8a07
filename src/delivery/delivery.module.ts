import { Module } from '@nestjs/common';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { DeliveryService } from '#src/delivery/delivery.service.js';
import { PagesDeliveryController } from '#src/delivery/pages-delivery.controller.js';
import { PreviewTokensController } from '#src/delivery/preview-tokens.controller.js';
import { PreviewTokensService } from '#src/delivery/preview-tokens.service.js';
import { SnippetsDeliveryController } from '#src/delivery/snippets-delivery.controller.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { SearchModule } from '#src/search/search.module.js';

/** The read-only delivery API (`/api/v2/`): published content, previews by token, caching. */
@Module({
  imports: [AccountsModule, ContentTypesModule, PagesModule, PublishingModule, SearchModule],
  controllers: [PagesDeliveryController, SnippetsDeliveryController, PreviewTokensController],
  providers: [DeliveryService, PreviewTokensService],
  exports: [DeliveryService],
})
export class DeliveryModule {}
