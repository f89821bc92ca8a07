import { Module } from '@nestjs/common';

/** The read-only delivery API (`/api/v2/`): published content, previews by token, caching. */
@Module({
  providers: [],
  exports: [],
})
export class DeliveryModule {}
