import { Global, Module } from '@nestjs/common';
import { QueueConnection } from '#src/jobs/queue-connection.js';

@Global()
@Module({
  providers: [QueueConnection],
  exports: [QueueConnection],
})
export class JobsModule {}
