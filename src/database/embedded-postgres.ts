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
    keepExtendedQueriesWhole(server, db);
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

/**
 * Frontend messages of the extended query protocol before its Sync: Parse, Bind, Describe,
 * Execute, Flush and Close. After one of them the connection keeps its turn until it sends
 * Sync; any other message (Sync, a simple Query, Terminate, the startup) ends its turn.
 */
const EXTENDED_QUERY_MESSAGES = new Set(['P', 'B', 'D', 'E', 'H', 'C'].map((c) => c.charCodeAt(0)));

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
}

interface SocketQueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/**
 * pglite-socket runs the messages of its connections one at a time on PGlite's single
 * session and keeps a connection's turn only while a transaction is open. A query of the
 * extended protocol is several messages (Parse, Bind, Describe, Execute, Sync), so two
 * connections' queries interleaved outside transactions and overwrote each other's
 * unnamed statement and portal ("unnamed prepared statement does not exist", rows of the
 * wrong query). This keeps a connection's turn from its first extended-protocol message
 * until its Sync, as well as for a whole transaction.
 *
 * It replaces two methods of the server's (unexported) queue, so it checks their shape and
 * fails at start rather than misbehave if a new pglite-socket changes them; the e2e test
 * `embedded-database` runs concurrent queries to prove it.
 */
function keepExtendedQueriesWhole(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue?: SocketQueryQueue }).queryQueue;
  if (
    !queue ||
    !Array.isArray(queue.queue) ||
    typeof queue.processQueue !== 'function' ||
    typeof queue.clearQueueForHandler !== 'function'
  ) {
    throw new Error(
      'This version of @electric-sql/pglite-socket queues queries differently than Finch expects; ' +
        'keep the version in package.json, or check keepExtendedQueriesWhole() against the new one.',
    );
  }
  /** The connection in the middle of an extended-protocol query (before its Sync). */
  let midQuery: number | null = null;

  queue.processQueue = async function processQueue(this: SocketQueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = midQuery ?? (db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner);
        // The owner has not sent its next message yet: wait for it (enqueue wakes us).
        if (index === -1) break;
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          midQuery = null;
          item.reject(error);
          continue;
        }
        // (A startup message has no type byte: its first byte is 0, never one of these.)
        midQuery = EXTENDED_QUERY_MESSAGES.has(item.message[0]) ? item.handlerId : null;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    // A connection that went away mid-query must not hold everyone else's turn.
    if (midQuery === handlerId) midQuery = null;
    clearQueueForHandler(handlerId);
  };
}
