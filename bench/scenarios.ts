import { healthProbeScenarios } from './health-probe-scenarios.js';
import type { Scenario } from './scenario.js';

/**
 * Every benchmark, in the order they run. A feature adds its own file
 * (`<feature>-scenarios.ts`, exporting `Scenario[]`) and spreads it in here.
 */
export const scenarios: Scenario[] = [...healthProbeScenarios];
