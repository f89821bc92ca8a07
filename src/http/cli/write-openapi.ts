import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withScratchDatabase } from '#src/database/scratch-database.js';
import { createFinchApp } from '#src/finch-app.js';
import {
  buildOpenApiDocument,
  COMMITTED_OPENAPI_FILE,
  serializeOpenApiDocument,
} from '#src/http/openapi.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import { loadConfigOrExit } from '#src/process-lifecycle.js';

/**
 * `npm run openapi`: boots Finch without listening, on a throwaway database (a scratch one
 * on DATABASE_URL's server, or an embedded one), and writes docs/openapi.json.
 */
async function main(): Promise<void> {
  const { config } = loadConfigOrExit();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'finch-openapi-'));
  try {
    const document = await withScratchDatabase(config.databaseUrl, async (url) => {
      const finch = await createFinchApp(
        {
          ...config,
          databaseUrl: url,
          dataDir,
          migrateOnBoot: true,
          // Queues in the scratch database and no workers: only the routes are read.
          redisUrl: undefined,
          jobs: { ...config.jobs, runWorkersInProcess: false },
        },
        { logger: createRootLogger({ log: { level: 'warn', pretty: config.log.pretty } }) },
      );
      try {
        return serializeOpenApiDocument(buildOpenApiDocument(finch.app));
      } finally {
        await finch.close();
      }
    });
    await writeFile(COMMITTED_OPENAPI_FILE, document);
    console.log(`Wrote ${path.relative(process.cwd(), COMMITTED_OPENAPI_FILE)}.`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
