import { contentDeliverySuite } from './content-delivery-scenarios.js';
import { feedSuite } from './feed-scenarios.js';
import { graphqlSuite } from './graphql-scenarios.js';
import { healthProbeScenarios } from './health-probe-scenarios.js';
import type { BenchSuite } from './scenario.js';

/**
 * Every benchmark suite; `npm run bench` runs `health`, `npm run bench -- --suite content`
 * (or `npm run bench:content`) the delivery API on 100,000 seeded pages, `--suite graphql`
 * (`npm run bench:graphql`) GraphQL against REST and a raw server on the same pages, `--suite feeds`
 * a 50-item feed on the same pages, full and 304, cached and not. A feature adds its
 * own file (`<feature>-scenarios.ts`, exporting `Scenario[]`) and spreads it into a suite
 * here, or adds a suite when it needs a database of its own.
 */
export const suites: BenchSuite[] = [
  { name: 'health', title: 'Health probes', scenarios: [...healthProbeScenarios] },
  contentDeliverySuite,
  graphqlSuite,
  feedSuite,
];
