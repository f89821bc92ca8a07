// First, before any library reads it: see the file.
import './production-mode.js';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withScratchDatabase } from '#src/database/scratch-database.js';
import { generateLoad, type LoadResult } from './load-generator.js';
import {
  type BenchSettings,
  describeMachine,
  describeSettings,
  invalidity,
  type MachineInfo,
  renderConsoleTable,
  type RunDescription,
  type ScenarioOutcome,
  verdictOf,
  writeResults,
} from './results-report.js';
import {
  type BaselinePools,
  type BenchRequest,
  type BenchSuite,
  baselineRequestOf,
  isFinchBaseline,
  type Scenario,
} from './scenario.js';
import { suites } from './scenarios.js';
import {
  closePools,
  openBaselinePools,
  recordSql,
  startBaseline,
  startFinch,
  type ServerUnderTest,
} from './servers-under-test.js';

/**
 * `npm run bench`: Finch against a raw `node:http` + `pg` baseline, scenario by scenario,
 * on a scratch database created for the run and dropped after it.
 *
 *   DATABASE_URL       PostgreSQL server to create the scratch database on (required)
 *   BENCH_DURATION     measured seconds per load run (default 5)
 *   BENCH_WARMUP       warm-up seconds before each load run (default 2)
 *   BENCH_ROUNDS       load runs per server and scenario; the median is reported (default 3)
 *   BENCH_CONNECTIONS  concurrent connections (default 20)
 *   BENCH_SCENARIOS    comma-separated names to run (default all of the suite)
 *   --suite <name> or BENCH_SUITE   the suite (default health; see scenarios.ts)
 *   --write or BENCH_WRITE=1   record the run in bench/RESULTS.md
 */

/** Finch's default DATABASE_POOL_SIZE; the baseline gets the same. */
const POOL_SIZE = 10;
/** Aborted by Ctrl-C, SIGTERM or the watchdog: the load stops and the run unwinds. */
const interrupt = new AbortController();
const RESULTS_FILE = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function wholeNumber(variable: string, fallback: number, min: number, max: number): number {
  const text = process.env[variable];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(
      `${variable}=${JSON.stringify(text)} is wrong: expected a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

function selectedSuite(): BenchSuite {
  const position = process.argv.indexOf('--suite');
  const name = (position === -1 ? process.env.BENCH_SUITE : process.argv[position + 1]) ?? 'health';
  const suite = suites.find((candidate) => candidate.name === name);
  if (!suite) {
    fail(
      `There is no suite "${name}". Known: ${suites.map((candidate) => candidate.name).join(', ')}.`,
    );
  }
  return suite;
}

function selectedScenarios({ scenarios }: BenchSuite): Scenario[] {
  const wanted = process.env.BENCH_SCENARIOS?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!wanted || wanted.length === 0) return scenarios;
  const unknown = wanted.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    fail(
      `BENCH_SCENARIOS names unknown scenarios: ${unknown.join(', ')}. ` +
        `Known: ${scenarios.map((scenario) => scenario.name).join(', ')}.`,
    );
  }
  return scenarios.filter((scenario) => wanted.includes(scenario.name));
}

/** The commit measured, and which files outside bench/ differed from it. */
function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // Porcelain lines are "XY path": two status columns, a space, the path.
    const changed = git('status', '--porcelain', '--', '.', ':!bench')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    if (changed.length === 0) return commit;
    const shown = changed.length <= 3 ? changed.join(', ') : `${changed.length} files`;
    return `${commit} + uncommitted changes (${shown})`;
  } catch {
    return 'unknown';
  }
}

async function describeMachineOf(db: pg.Pool, databaseUrl: string): Promise<MachineInfo> {
  const { rows } = await db.query<{ version: string }>('SELECT version() AS version');
  const host = new URL(databaseUrl).hostname;
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host);
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: rows[0].version.split(' on ')[0],
    postgresHost: loopback ? `${host || 'a local socket'} (same machine)` : host,
    commit: gitCommit(),
  };
}

/** One side of a comparison: a server and the request it is asked. */
interface Contender {
  name: 'Finch' | 'baseline';
  url: string;
  request: BenchRequest;
  /** Finch (its statements are recorded by request id), or the raw baseline. */
  isFinch: boolean;
  results: LoadResult[];
}

interface RecordedAnswer {
  status: number;
  type: string;
  shape: string;
  text: string;
  /** Every statement sent while answering, as `recordSql` writes them. */
  statements: string[];
}

function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `[${[...new Set(value.map(shapeOf))].sort().join('|')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => `${key}:${shapeOf(item)}`)
      .join(',')}}`;
  }
  return value === null ? 'null' : typeof value;
}

/** One request to `contender`, with the SQL it made its server send. */
async function recordedAnswer(contender: Contender): Promise<RecordedAnswer> {
  const requestId = `bench-check-${randomBytes(6).toString('hex')}`;
  let answer: Omit<RecordedAnswer, 'statements'> | undefined;
  const sql = await recordSql(requestId, async () => {
    const { request } = contender;
    const response = await fetch(new URL(request.path, contender.url), {
      method: request.method ?? 'GET',
      headers: { ...request.headers, 'x-request-id': requestId },
      body: request.body,
      redirect: 'manual',
    });
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const shape = type.includes('json') ? shapeOf(JSON.parse(text)) : `${text.length} characters`;
    answer = { status: response.status, type, shape, text };
  });
  if (!answer) throw new Error(`No answer from ${contender.name} to compare.`);
  return { ...answer, statements: contender.isFinch ? sql.finch : sql.baseline };
}

/** SQL statements one request makes each server send, once caches are warm. */
interface StatementCounts {
  finch: number;
  baseline: number;
}

/**
 * Status, content type and JSON shape must agree, or the comparison would be meaningless;
 * with `sameSql`, so must the statements. Then each is asked once more, as the load will
 * ask (caches filled, statements prepared, GraphQL queries compiled), to count the SQL
 * statements a request sends.
 */
async function compareAnswers(
  scenario: Scenario,
  finchSide: Contender,
  baselineSide: Contender,
): Promise<StatementCounts> {
  const finch = await recordedAnswer(finchSide);
  const baseline = await recordedAnswer(baselineSide);
  if (
    finch.status !== baseline.status ||
    finch.type !== baseline.type ||
    (scenario.sameShape !== false && finch.shape !== baseline.shape)
  ) {
    throw new Error(
      `Scenario ${scenario.name}: the baseline does not answer like Finch, so they cannot be compared.\n` +
        `  Finch:    ${finch.status} ${finch.type} ${finch.text.slice(0, 300)}\n` +
        `  baseline: ${baseline.status} ${baseline.type} ${baseline.text.slice(0, 300)}`,
    );
  }
  if (scenario.sameSql) {
    const finchStatements = [...finch.statements];
    const missing = baseline.statements.filter((statement) => {
      const index = finchStatements.indexOf(statement);
      if (index >= 0) finchStatements.splice(index, 1);
      return index < 0;
    });
    if (baseline.statements.length === 0 || missing.length > 0) {
      throw new Error(
        `Scenario ${scenario.name}: the baseline does not send the SQL Finch sends.\n` +
          `  Finch:    ${finch.statements.map((statement) => statement.slice(0, 2000)).join('\n            ')}\n` +
          `  baseline: ${baseline.statements.map((statement) => statement.slice(0, 2000)).join('\n            ')}`,
      );
    }
    console.log(
      `  same SQL: the baseline's ${baseline.statements.length} statement(s) are Finch's` +
        (finchStatements.length > 0
          ? `; Finch also sent: ${finchStatements.map((statement) => statement.replace(/\s+/g, ' ').slice(0, 120)).join(' | ')}`
          : ''),
    );
  }
  const counts = {
    finch: (await recordedAnswer(finchSide)).statements.length,
    baseline: (await recordedAnswer(baselineSide)).statements.length,
  };
  console.log(`  SQL statements per request: Finch ${counts.finch}, baseline ${counts.baseline}`);
  return counts;
}

/**
 * The scenario's baseline, on its own port: the raw server, or Finch itself — the one under
 * test, or a second one with the baseline's settings.
 */
async function startBaselineOf(
  scenario: Scenario,
  finch: ServerUnderTest,
  pools: BaselinePools,
  startOtherFinch: (environment: Record<string, string>) => Promise<ServerUnderTest>,
): Promise<{ server: ServerUnderTest; isFinch: boolean }> {
  const { baseline } = scenario;
  if (!isFinchBaseline(baseline)) {
    return { server: await startBaseline(baseline, pools), isFinch: false };
  }
  if (!baseline.finchEnvironment) {
    return { server: { url: finch.url, close: () => Promise.resolve() }, isFinch: true };
  }
  return { server: await startOtherFinch(baseline.finchEnvironment), isFinch: true };
}

function summary(server: string, result: LoadResult, expectedStatus?: number): string {
  const problem = invalidity(result, expectedStatus);
  return (
    `  ${server.padEnd(16)} ${Math.round(result.requestsPerSecond)} req/s, ` +
    `p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms` +
    (result.serverCpuMsPerResponse === undefined
      ? ''
      : `, server CPU ${result.serverCpuMsPerResponse.toFixed(3)} ms/req`) +
    (problem ? `  INVALID: ${problem}` : '')
  );
}

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    fail(
      'The benchmark needs a PostgreSQL server: set DATABASE_URL, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench\n' +
        'It creates a scratch database there for the run and drops it afterwards; your data is not touched.',
    );
  }
  const suite = selectedSuite();
  const suiteEnvironment = { LOG_LEVEL: 'silent', ...suite.finchEnvironment };
  const settings: BenchSettings = {
    connections: wholeNumber('BENCH_CONNECTIONS', 20, 1, 500),
    durationSeconds: wholeNumber('BENCH_DURATION', 5, 1, 300),
    warmupSeconds: wholeNumber('BENCH_WARMUP', 2, 0, 60),
    rounds: wholeNumber('BENCH_ROUNDS', 3, 1, 9),
    poolSize: POOL_SIZE,
    finchLogLevel: suiteEnvironment.LOG_LEVEL,
  };
  const write = process.argv.includes('--write') || process.env.BENCH_WRITE === '1';
  const selected = selectedScenarios(suite);

  // Ctrl-C ends the current load run; the finally blocks below then drop the scratch database.
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    console.error('\nInterrupted: stopping the load and dropping the scratch database…');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Stops by itself even if something hangs: twice the planned time, plus boot and teardown.
  const plannedSeconds =
    selected.length * settings.rounds * 2 * (settings.durationSeconds + settings.warmupSeconds + 1);
  const watchdog = setTimeout(
    () => {
      console.error(
        `The benchmark took more than twice its planned ${plannedSeconds} s: aborting.`,
      );
      interrupt.abort();
      setTimeout(() => process.exit(1), 30_000).unref();
    },
    (plannedSeconds * 2 + 120) * 1000,
  );
  watchdog.unref();

  console.log(
    `Benchmarking ${selected.map((scenario) => scenario.name).join(', ')}: about ${plannedSeconds} s.`,
  );
  const withDatabase = suite.withDatabase ?? withScratchDatabase;
  const { run, outcomes } = await withDatabase(databaseUrl, async (runDatabaseUrl) => {
    const running: { finch?: ServerUnderTest; environment?: string } = {};
    /** Finch with the suite's and the scenario's settings, restarted when they change. */
    const finchFor = async (scenario?: Scenario): Promise<ServerUnderTest> => {
      const environment = { ...suiteEnvironment, ...scenario?.finchEnvironment };
      const key = JSON.stringify(Object.entries(environment).sort());
      if (running.finch && running.environment === key) return running.finch;
      await running.finch?.close();
      running.finch = undefined;
      running.finch = await startFinch(runDatabaseUrl, POOL_SIZE, environment);
      running.environment = key;
      return running.finch;
    };
    const pools = openBaselinePools(runDatabaseUrl, POOL_SIZE);
    try {
      const seeding = await finchFor(selected[0]);
      for (const scenario of selected) await scenario.seed?.({ pools, finchUrl: seeding.url });
      const run: RunDescription = {
        suite: { name: suite.name, title: suite.title },
        date: new Date(),
        machine: await describeMachineOf(pools.app, databaseUrl),
        settings,
        loadAverage: { before: os.loadavg()[0] },
      };
      console.log(`Machine: ${describeMachine(run)}.\nSettings: ${describeSettings(run)}\n`);
      if (run.loadAverage.before > 0.75 * run.machine.cpus) {
        console.warn(
          `The machine is busy (1-minute load average ${run.loadAverage.before.toFixed(2)}): ` +
            'expect noisy results, and rerun when it is idle before recording them.\n',
        );
      }

      const outcomes: ScenarioOutcome[] = [];
      for (const scenario of selected) {
        const finchServer = await finchFor(scenario);
        const baseline = await startBaselineOf(scenario, finchServer, pools, (environment) =>
          startFinch(runDatabaseUrl, POOL_SIZE, {
            ...suiteEnvironment,
            ...scenario.finchEnvironment,
            ...environment,
          }),
        );
        try {
          const outcome: ScenarioOutcome = { scenario, finch: [], baseline: [] };
          const contenders: Contender[] = [
            {
              name: 'Finch',
              url: finchServer.url,
              request: scenario.request,
              isFinch: true,
              results: outcome.finch,
            },
            {
              name: 'baseline',
              url: baseline.server.url,
              request: baselineRequestOf(scenario),
              isFinch: baseline.isFinch,
              results: outcome.baseline,
            },
          ];
          outcome.statementsPerRequest = await compareAnswers(
            scenario,
            contenders[0],
            contenders[1],
          );
          console.log(`${scenario.name}: ${scenario.description}`);
          for (let round = 0; round < settings.rounds; round += 1) {
            // Alternating the order keeps a drift in the machine from favouring one server.
            for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
              const result = await generateLoad(
                { ...settings, request: contender.request, url: contender.url },
                interrupt.signal,
              );
              contender.results.push(result);
              console.log(
                summary(
                  `round ${round + 1} ${contender.name}`,
                  result,
                  contender.request.expectedStatus,
                ),
              );
            }
          }
          outcomes.push(outcome);
        } finally {
          await baseline.server.close();
        }
      }
      run.loadAverage.after = os.loadavg()[0];
      return { run, outcomes };
    } finally {
      await running.finch?.close();
      await closePools(pools);
    }
  });

  console.log(`\n${renderConsoleTable(outcomes)}\n`);
  const invalid = outcomes.filter((outcome) => verdictOf(outcome) === 'invalid');
  if (invalid.length > 0) {
    console.error('Some runs had failed or non-2xx responses: the results were not recorded.');
    return 1;
  }
  if (write) {
    await writeResults(RESULTS_FILE, run, outcomes);
    console.log(`Recorded in ${RESULTS_FILE}.`);
  } else {
    console.log('Add --write (npm run bench -- --write) to record this run in bench/RESULTS.md.');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (interrupt.signal.aborted) {
      console.error('Stopped before the end: nothing was recorded.');
      process.exit(130);
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
