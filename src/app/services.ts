import type { Clock } from '../core/clock.ts';
import type { Db } from '../db/client.ts';
import type { ReferenceData } from '../reference/types.ts';
import { IntakeService } from '../modules/declarations/service.ts';
import { IntelligenceService } from '../modules/intelligence/service.ts';
import { RiskService } from '../modules/risk/service.ts';

/**
 * The composition root: the one place where Centinela's services are built and wired together.
 * The server, the CLI, the benchmarks and the tests all take their services from here, so every
 * entry point (the API, bulk import, `centinela import`) assesses a declaration the same way:
 * risk criteria, the model's score, reference prices, random control and controls opened.
 */
export interface Services {
  intake: IntakeService;
  risk: RiskService;
  intelligence: IntelligenceService;
}

/** What the services need: the database, the reference data, the clock and the configuration. */
export interface ServiceDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  config: { randomControlRate: number };
}

export function buildServices(deps: ServiceDeps): Services {
  const intake = new IntakeService(deps);
  const risk = new RiskService(deps);
  const intelligence = new IntelligenceService(deps);
  intake.setAssessor(risk.assessor());
  risk.setModelScorer(intelligence.scorer());
  risk.prices.useSource(intelligence.priceSource());
  return { intake, risk, intelligence };
}
