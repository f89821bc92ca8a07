import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';

/** Connections the socket server multiplexes onto PGlite's single session. */
const MAX_CONNECTIONS = 64;
/** A lock not refreshed for this long belongs to a process that died. */
const STALE_LOCK_MS = 10_000;

export class DataDirectoryInUseError extends Error {
  constructor(readonly directory: string) {
    super(
      `The embedded database in ${directory} is in use by another Finch process. ` +
        'Stop that process first, or point DATA_DIR at another directory. ' +
        `If no other process is running, the lock clears itself within ${STALE_LOCK_MS / 1000} seconds.`,
    );
    this.name = 'DataDirectoryInUseError';
  }
}

export interface EmbeddedPostgres {
  /** A postgres:// URL on the loopback interface, for the ordinary `pg` driver. */
  url: string;
  directory: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on `directory` and serves it over the PostgreSQL wire protocol on a
 * loopback port, so the application, migrations and job queues use the same `pg`
 * driver they use against a real server. The directory is locked for the life of the
 * process: a second process fails fast instead of corrupting the data.
 */
export async function startEmbeddedPostgres(directory: string): Promise<EmbeddedPostgres> {
  const root = path.resolve(directory);
  const pgdata = path.join(root, 'pgdata');
  mkdirSync(pgdata, { recursive: true });

  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(pgdata, {
      lockfilePath: path.join(root, 'pgdata.lock'),
      stale: STALE_LOCK_MS,
      update: STALE_LOCK_MS / 4,
      retries: 0,
      onCompromised: (error) => {
        // Another process took the lock: writing on would corrupt the data.
        process.emitWarning(`Embedded database lock lost: ${error.message}`);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED')
      throw new DataDirectoryInUseError(root);
    throw error;
  }

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    db = await PGlite.create(pgdata);
    // Every connection shares PGlite's one session, so connection options such as
    // search_path are ignored. The job queue's schema goes on the path here, after public
    // so application tables always resolve first.
    await db.exec('SET search_path TO public, bullmq');
    server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: MAX_CONNECTIONS,
    });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await release();
    throw error;
  }

  const port = listeningPort(server);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    directory: root,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
        await db.close();
      } finally {
        await release();
      }
    },
  };
}

function listeningPort(server: PGLiteSocketServer): number {
  const address = server.getServerConn();
  const match = /:(\d+)$/.exec(address);
  if (!match) throw new Error(`The embedded database server reported no port (${address}).`);
  return Number(match[1]);
}
