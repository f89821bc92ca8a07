/**
 * Jobs through the outbox: 10,000 no-op jobs enqueued the way features enqueue them (an
 * outbox row written in its own transaction, then the relay, then a worker) against the
 * baseline of the same jobs added straight to BullMQ on the same backend, for the
 * PostgreSQL queue backend and, when REDIS_URL is set, the Redis one.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test [REDIS_URL=redis://127.0.0.1:6379] npm run bench:jobs
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Job, Queue, Worker, createPostgresBackend } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '#src/config/app-config.js';
import { withScratchDatabase } from '#src/database/scratch-database.js';
import {
  defineJob,
  HandlesJob,
  type JobContext,
  type JobHandler,
} from '#src/jobs/job-definition.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';
import { WorkerModule } from '#src/worker.module.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const ENQUEUERS = 20;
const CONCURRENCY = 20;

const noopJob = defineJob<{ n: number }>({
  name: 'bench-noop',
  attempts: 1,
  concurrency: CONCURRENCY,
});

let processed = 0;
let allProcessed: () => void = () => undefined;

@Injectable()
@HandlesJob(noopJob)
class NoopHandler implements JobHandler<{ n: number }> {
  handle(_payload: { n: number }, _context: JobContext): Promise<void> {
    processed += 1;
    if (processed === JOBS) allProcessed();
    return Promise.resolve();
  }
}

@Module({ providers: [NoopHandler] })
class NoopJobsModule {}

interface Measurement {
  enqueueSeconds: number;
  totalSeconds: number;
}

/** Runs `enqueue(n)` for n in 0..JOBS-1 with ENQUEUERS at once, and times until all are processed. */
async function measure(
  enqueue: (n: number) => Promise<unknown>,
  done: Promise<void>,
): Promise<Measurement> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: ENQUEUERS }, async () => {
      while (next < JOBS) await enqueue(next++);
    }),
  );
  const enqueued = performance.now();
  await done;
  const finished = performance.now();
  return { enqueueSeconds: (enqueued - started) / 1000, totalSeconds: (finished - started) / 1000 };
}

function completion(): Promise<void> {
  processed = 0;
  return new Promise((resolve) => (allProcessed = resolve));
}

/** Finch: JobsService.enqueue → outbox → relay → worker, in one worker process like `npm run worker`. */
async function finchRun(url: string, redisUrl: string | undefined): Promise<Measurement> {
  const { config } = loadConfig({
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(48).toString('base64'),
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench_${process.pid}`,
    LOG_LEVEL: 'silent',
    DATA_DIR: os.tmpdir(),
  });
  const context = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, { url, embedded: false }, [NoopJobsModule]),
    { logger: false },
  );
  try {
    const jobs = context.get(JobsService);
    const dataSource = context.get(DataSource);
    const done = completion();
    return await measure(
      (n) => dataSource.transaction((manager) => jobs.enqueue(noopJob, { n }, { manager })),
      done,
    );
  } finally {
    await context.close();
  }
}

/** Baseline: the same jobs added straight to BullMQ, processed by a bare BullMQ worker. */
async function baselineRun(url: string, redisUrl: string | undefined): Promise<Measurement> {
  const name = `bench-baseline-${process.pid}`;
  const prefix = `bench_${process.pid}`;
  let queue: Queue;
  let worker: Worker;
  let cleanup: () => Promise<void>;
  const processor = (_job: Job) => {
    processed += 1;
    if (processed === JOBS) allProcessed();
    return Promise.resolve();
  };
  if (redisUrl) {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(name, { connection: redis, prefix });
    worker = new Worker(name, processor, { connection: redis, prefix, concurrency: CONCURRENCY });
    cleanup = async () => {
      await queue.obliterate({ force: true });
      await redis.quit();
    };
  } else {
    const pool = new pg.Pool({
      connectionString: url,
      max: 30,
      options: '-c search_path=bullmq,public',
    });
    queue = new Queue(
      name,
      { connection: pool, prefix },
      createPostgresBackend,
    ) as unknown as Queue;
    worker = new Worker(
      name,
      processor,
      { connection: pool, prefix, concurrency: CONCURRENCY },
      createPostgresBackend,
    ) as unknown as Worker;
    cleanup = () => pool.end();
  }
  try {
    const done = completion();
    return await measure((n) => queue.add(name, { n }), done);
  } finally {
    await worker.close();
    await queue.close();
    await cleanup();
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error(
      'Set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:jobs',
    );
    process.exit(1);
  }
  const backends: Array<{ name: string; redisUrl?: string }> = [
    { name: 'PostgreSQL' },
    ...(process.env.REDIS_URL ? [{ name: 'Redis', redisUrl: process.env.REDIS_URL }] : []),
  ];
  const rows: string[] = [];
  for (const backend of backends) {
    await withScratchDatabase(serverUrl, async (url) => {
      // Migrations and the queue schema, as a server boot would leave them.
      const setup = await NestFactory.createApplicationContext(
        WorkerModule.forRoot(
          loadConfig({
            NODE_ENV: 'test',
            DATABASE_URL: url,
            REDIS_URL: backend.redisUrl,
            LOG_LEVEL: 'silent',
            DATA_DIR: os.tmpdir(),
          }).config,
          { url, embedded: false },
        ),
        { logger: false },
      );
      await setup.get(DataSource).runMigrations({ transaction: 'each' });
      await setup.get(QueueConnection).prepare();
      await setup.close();

      console.log(`${backend.name}: ${JOBS} jobs…`);
      const baseline = await baselineRun(url, backend.redisUrl);
      const finch = await finchRun(url, backend.redisUrl);
      const rate = (m: Measurement) => Math.round(JOBS / m.totalSeconds);
      rows.push(
        `| ${backend.name} | ${rate(finch)} | ${Math.round(JOBS / finch.enqueueSeconds)} | ${rate(baseline)} | ${(rate(finch) / rate(baseline)).toFixed(2)}× |`,
      );
      console.log(
        `  Finch (outbox):    ${rate(finch)} jobs/s end to end (${finch.totalSeconds.toFixed(1)} s)`,
      );
      console.log(
        `  BullMQ directly:   ${rate(baseline)} jobs/s end to end (${baseline.totalSeconds.toFixed(1)} s)`,
      );
    });
  }
  console.log(
    '\n| Queue backend | Finch jobs/s (enqueue → processed) | Finch enqueue/s | BullMQ direct jobs/s | Finch ÷ direct |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  console.log(
    `\n${JOBS} no-op jobs, ${ENQUEUERS} enqueuers, worker concurrency ${CONCURRENCY}; node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
