import { Module } from '@nestjs/common';
import { HealthController } from '#src/health/health.controller.js';
import { ReadinessService } from '#src/health/readiness.service.js';

@Module({
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class HealthModule {}
