import type { z } from 'zod';
import type { backtestResult, effectivenessView } from './responses.ts';

/**
 * What the risk API answers for effectiveness and backtests, inferred from its response schemas
 * (responses.ts): the types the web application uses too (web/src/api/types.ts).
 */

export type Effectiveness = z.output<typeof effectivenessView>;
export type EffectivenessRow = Effectiveness['overall'];
export type BacktestResult = z.output<typeof backtestResult>;
