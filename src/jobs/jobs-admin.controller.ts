import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SuperuserOnly } from '#src/accounts/permission.decorators.js';
import { ListFailedJobsQuery } from '#src/jobs/dto/list-failed-jobs.dto.js';
import {
  type FailedJob,
  JobsAdminService,
  type QueueSummary,
} from '#src/jobs/jobs-admin.service.js';

/** The operator's view of the job queues. Superusers only, for now. */
@ApiTags('Jobs')
@ApiBearerAuth()
@Controller('api/admin/jobs')
@SuperuserOnly()
export class JobsAdminController {
  constructor(private readonly admin: JobsAdminService) {}

  @Get('queues')
  async queues(): Promise<{ items: QueueSummary[] }> {
    return { items: await this.admin.summaries() };
  }

  @Get('queues/:queue/failed')
  async failed(
    @Param('queue') queue: string,
    @Query() query: ListFailedJobsQuery,
  ): Promise<{ items: FailedJob[]; meta: { total_count: number } }> {
    const { items, total } = await this.admin.failed(queue, query);
    return { items, meta: { total_count: total } };
  }

  @Post('queues/:queue/jobs/:id/retry')
  @HttpCode(202)
  async retry(@Param('queue') queue: string, @Param('id') id: string): Promise<void> {
    await this.admin.retry(queue, id);
  }

  @Delete('queues/:queue/jobs/:id')
  @HttpCode(204)
  async discard(@Param('queue') queue: string, @Param('id') id: string): Promise<void> {
    await this.admin.discard(queue, id);
  }
}
