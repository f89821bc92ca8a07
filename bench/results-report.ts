import { readFile, writeFile } from 'node:fs/promises';
import prettier from 'prettier';
import type { LoadResult, LoadSettings } from './load-generator.js';
import { baselineRequestOf, isFinchBaseline, type Scenario } from './scenario.js';

/** Every round's result for one server; rounds alternate which server goes first. */
export interface ScenarioOutcome {
  scenario: Scenario;
  finch: LoadResult[];
  baseline: LoadResult[];
  /** SQL statements one request sends, counted before the load (caches warm). */
  statementsPerRequest?: { finch: number; baseline: number };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** From `SELECT version()`. */
  postgres: string;
  postgresHost: string;
  /** Short commit, plus the files outside bench/ that differed from it. */
  commit: string;
}

export interface BenchSettings extends LoadSettings {
  rounds: number;
  poolSize: number;
  /** Finch's LOG_LEVEL during the run. */
  finchLogLevel: string;
}

export interface RunDescription {
  /** The suite run; `health` runs keep the section keys they always had. */
  suite: { name: string; title: string };
  date: Date;
  machine: MachineInfo;
  settings: BenchSettings;
  /** 1-minute load averages: other work on the machine during the run skews its results. */
  loadAverage: { before: number; after?: number };
}

/**
 * Why a load run's numbers cannot be trusted (failed responses, or responses with another
 * status than `expectedStatus`, any 2xx when unset), if they cannot.
 */
export function invalidity(result: LoadResult, expectedStatus?: number): string | undefined {
  const unexpected = (code: string) =>
    expectedStatus === undefined ? !code.startsWith('2') : code !== String(expectedStatus);
  const wrongStatus = Object.entries(result.statusCodes).filter(([code]) => unexpected(code));
  const wrongCount = wrongStatus.reduce((sum, [, count]) => sum + count, 0);
  const problems = [
    result.errors > 0 && `${result.errors} errors`,
    result.timeouts > 0 && `${result.timeouts} timeouts`,
    wrongCount > 0 &&
      `${wrongCount} ${expectedStatus === undefined ? 'non-2xx' : `not ${expectedStatus}`} (${wrongStatus
        .map(([code, count]) => `${code}×${count}`)
        .join(', ')})`,
    result.responses === 0 && 'no responses',
  ].filter((problem): problem is string => typeof problem === 'string');
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The round with the median throughput: what the table reports for a server. */
export function medianRound(rounds: LoadResult[]): LoadResult {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Half the gap between the fastest and the slowest round, relative to the median. */
function spread(rounds: LoadResult[]): number {
  const values = rounds.map((round) => round.requestsPerSecond);
  return (Math.max(...values) - Math.min(...values)) / 2 / medianRound(rounds).requestsPerSecond;
}

export function throughputRatio({ finch, baseline }: ScenarioOutcome): number {
  return medianRound(finch).requestsPerSecond / medianRound(baseline).requestsPerSecond;
}

export type Verdict = 'met' | 'below target' | 'no target' | 'invalid';

export function verdictOf(outcome: ScenarioOutcome): Verdict {
  const { scenario } = outcome;
  const baselineExpected = baselineRequestOf(scenario).expectedStatus;
  if (
    outcome.finch.some((round) => invalidity(round, scenario.request.expectedStatus)) ||
    outcome.baseline.some((round) => invalidity(round, baselineExpected))
  ) {
    return 'invalid';
  }
  if (!scenario.target) return 'no target';
  return throughputRatio(outcome) >= scenario.target.minThroughputRatio ? 'met' : 'below target';
}

const HEADER = [
  'Scenario',
  'Finch req/s',
  'Baseline req/s',
  'Finch ÷ baseline',
  'Target',
  'Finch p50 / p99 ms',
  'Baseline p50 / p99 ms',
  'Server CPU ms/req Finch / baseline',
  'SQL/req Finch / baseline',
];

const RIGHT_ALIGNED = new Set([1, 2, 3, 5, 6, 7, 8]);

const requestsPerSecond = (value: number) =>
  Math.round(value).toLocaleString('en-US', { useGrouping: true });
const milliseconds = (value: number) => value.toFixed(2);
const throughput = (rounds: LoadResult[]) =>
  `${requestsPerSecond(medianRound(rounds).requestsPerSecond)}` +
  (rounds.length > 1 ? ` ±${Math.round(spread(rounds) * 100)}%` : '');
const latencies = (rounds: LoadResult[]) => {
  const { latencyMs } = medianRound(rounds);
  return `${milliseconds(latencyMs.p50)} / ${milliseconds(latencyMs.p99)}`;
};

/** The median over the rounds (less noisy than the median round's own figure). */
const serverCpu = (rounds: LoadResult[]) => {
  const values = rounds
    .map((round) => round.serverCpuMsPerResponse)
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  return values.length === 0 ? '—' : values[Math.floor((values.length - 1) / 2)].toFixed(3);
};

function targetOf(outcome: ScenarioOutcome): string {
  const { target } = outcome.scenario;
  const verdict = verdictOf(outcome);
  const shown = verdict === 'met' ? 'met' : verdict === 'no target' ? '' : verdict.toUpperCase();
  return target ? `≥ ${target.minThroughputRatio.toFixed(2)}× ${shown}`.trimEnd() : `— ${shown}`;
}

function rowOf(outcome: ScenarioOutcome): string[] {
  const statements = outcome.statementsPerRequest;
  return [
    outcome.scenario.name,
    throughput(outcome.finch),
    throughput(outcome.baseline),
    `${throughputRatio(outcome).toFixed(2)}×`,
    targetOf(outcome),
    latencies(outcome.finch),
    latencies(outcome.baseline),
    `${serverCpu(outcome.finch)} / ${serverCpu(outcome.baseline)}`,
    statements ? `${statements.finch} / ${statements.baseline}` : '—',
  ];
}

function notesOf(outcomes: ScenarioOutcome[]): string[] {
  return outcomes.flatMap(({ scenario, finch, baseline }) =>
    [
      ...finch.map((round, index) => ({
        server: 'Finch',
        index,
        problem: invalidity(round, scenario.request.expectedStatus),
      })),
      ...baseline.map((round, index) => ({
        server: 'baseline',
        index,
        problem: invalidity(round, baselineRequestOf(scenario).expectedStatus),
      })),
    ]
      .filter(({ problem }) => problem)
      .map(
        ({ server, index, problem }) =>
          `${scenario.name}: ${server} round ${index + 1} invalid: ${problem ?? ''}`,
      ),
  );
}

/** A plain-text table for the terminal. */
export function renderConsoleTable(outcomes: ScenarioOutcome[]): string {
  const rows = [HEADER, ...outcomes.map(rowOf)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        RIGHT_ALIGNED.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(rows[0]),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.slice(1).map(line),
    ...notesOf(outcomes).map((note) => `! ${note}`),
  ].join('\n');
}

export function describeSettings({ settings }: RunDescription): string {
  return (
    `${settings.rounds} round${settings.rounds === 1 ? '' : 's'} per scenario, each measuring Finch and the baseline one after the ` +
    `other (alternating which goes first) for ${settings.durationSeconds} s after a ` +
    `${settings.warmupSeconds} s warm-up, with ${settings.connections} connections; figures are ` +
    'from the median round, ± is half the spread between the fastest and slowest round; ' +
    `database pools ${settings.poolSize} (app) and 30 (queues) for both; Finch with ` +
    `NODE_ENV=production, LOG_LEVEL=${settings.finchLogLevel}, queues on PostgreSQL (no REDIS_URL), job workers ` +
    'not in the server process; autocannon in a worker thread of the same process, loopback only; ' +
    'SQL/req is the statements one request sends once caches are warm, recorded before the load.'
  );
}

export function describeMachine({ machine }: RunDescription): string {
  return (
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}; ` +
    `Node ${machine.node}; ${machine.postgres} on ${machine.postgresHost}`
  );
}

export function describeLoad({ loadAverage }: RunDescription): string {
  return (
    `1-minute load average ${loadAverage.before.toFixed(2)} before the first load run` +
    (loadAverage.after === undefined ? '' : `, ${loadAverage.after.toFixed(2)} after the last`) +
    ' (the bench adds a few of its own: the server, the load generator, PostgreSQL backends)'
  );
}

/** The scenario's description, and who the baseline is when it is Finch itself. */
function describeScenario(scenario: Scenario): string {
  return isFinchBaseline(scenario.baseline)
    ? `${scenario.description}; the baseline is Finch: ${scenario.baseline.label}`
    : scenario.description;
}

/** Identifies a run's section in RESULTS.md: a rerun on the same day, commit and machine replaces it. */
function sectionKey(run: RunDescription): string {
  return [
    ...(run.suite.name === 'health' ? [] : [run.suite.name]),
    run.date.toISOString().slice(0, 10),
    run.machine.commit,
    `${run.machine.cpus}x ${run.machine.cpuModel}`,
  ].join(' | ');
}

function markdownSection(run: RunDescription, outcomes: ScenarioOutcome[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const table = [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, column) => (RIGHT_ALIGNED.has(column) ? '---:' : '---')).join(' | ')} |`,
    ...outcomes.map((outcome) => `| ${rowOf(outcome).map(cell).join(' | ')} |`),
  ];
  const notes = notesOf(outcomes).map((note) => `- ${note}`);
  return [
    `<!-- bench-run: ${sectionKey(run)} -->`,
    `### ${run.suite.name === 'health' ? '' : `${run.suite.title}: `}${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${run.machine.commit}`,
    '',
    `- Machine: ${describeMachine(run)}.`,
    `- Settings: ${describeSettings(run)}`,
    `- Load: ${describeLoad(run)}.`,
    ...outcomes.map(({ scenario }) => `- \`${scenario.name}\`: ${describeScenario(scenario)}.`),
    '',
    ...table,
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
  ].join('\n');
}

const RUNS_MARKER = '<!-- bench-runs: `npm run bench -- --write` adds runs below, newest first -->';
const RUN_START = '<!-- bench-run: ';

/**
 * Puts this run's section into RESULTS.md: in place of the section with the same key, or
 * else first under the runs marker. Everything before the first run is left as written by
 * hand; the runs are the end of the file (text after a run belongs to that run).
 */
export async function writeResults(
  file: string,
  run: RunDescription,
  outcomes: ScenarioOutcome[],
): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmark results\n\nSee bench/README.md for how these are measured.\n';
  }
  if (!text.includes(RUNS_MARKER)) text = `${text.trimEnd()}\n\n${RUNS_MARKER}\n`;
  const markerEnd = text.indexOf(RUNS_MARKER) + RUNS_MARKER.length;
  // Text between the marker and the first run is kept with the head; runs are the rest.
  const firstRun = text.indexOf(RUN_START, markerEnd);
  const head = (firstRun === -1 ? text : text.slice(0, firstRun)).trimEnd();
  const sections = (firstRun === -1 ? '' : text.slice(firstRun))
    .split(RUN_START)
    .slice(1)
    .map((section) => `${RUN_START}${section}`.trimEnd());
  const key = `${RUN_START}${sectionKey(run)} -->`;
  const fresh = markdownSection(run, outcomes).trimEnd();
  const kept = sections.filter((section) => !section.startsWith(key));
  const updated = `${head}\n\n${[fresh, ...kept].join('\n\n')}\n`;
  // Formatted like every other file, so `npm run check` stays green after a recorded run.
  const options = await prettier.resolveConfig(file);
  await writeFile(file, await prettier.format(updated, { ...options, filepath: file }));
}
