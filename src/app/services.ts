import type { Clock } from '../core/clock.ts';
import type { Db } from '../db/client.ts';
import type { ReferenceData } from '../reference/types.ts';
import { IntakeService } from '../flows/intake.ts';
import { DeclarationsService } from '../modules/declarations/service.ts';
import { IntelligenceService } from '../modules/intelligence/service.ts';
import { RiskService } from '../modules/risk/service.ts';
import { declarationFacts } from '../modules/declarations/reads.ts';
import { controlFacts } from '../modules/risk/reads.ts';
import { TradersService } from '../modules/traders/service.ts';
import { KpiService } from '../modules/kpi/service.ts';
import { TransitService } from '../modules/transit/service.ts';
import { createExchange, type ExchangeService } from '../modules/exchange/index.ts';
import type { Transport } from '../modules/exchange/transport.ts';
import type { Logger } from '../core/logger.ts';
import { PcaService, type AuditorDirectory } from '../modules/pca/service.ts';
import { CooperationService } from '../modules/cooperation/service.ts';
import { cooperationHandlers } from '../modules/cooperation/handlers.ts';
import { withAuditFindings } from '../modules/pca/feedback.ts';
import { AccessService } from '../modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../modules/access/types.ts';

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
  /** who a trader is, its history as of any date, its AEO status (read ports: declarations' and risk's facts) */
  traders: TradersService;
  kpi: KpiService;
  /** transit control; its hand-off to the administrations on a route goes over the regional exchange */
  transit: TransitService;
  /** the regional exchange: signed messages to and from partner administrations (outbox, relay, inbox); started by the server */
  exchange: ExchangeService;
  /** post-clearance audit: sensitive goods, plans, cases, the tax administration; its findings feed the model's labels and the traders' history */
  pca: PcaService;
  /** regional risk cooperation: risk information forms, common regional criteria, seizures and control results (over the exchange) */
  cooperation: CooperationService;
}

/** What the services need: the database, the reference data, the clock and the configuration. */
export interface ServiceDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  config: {
    randomControlRate: number;
    /** the administrations this node serves (default all seven) */ administrations?: readonly string[];
    /** NATS server of the regional exchange; absent: the in-process transport */ natsUrl?: string;
    /** subject / stream prefix on NATS (default `centinela`) */ natsPrefix?: string;
    /** seals the exchange's private keys at rest */ exchangeKeySecret?: string;
  };
  /** the exchange's transport (tests and the region harness share one); default from config.natsUrl */
  transport?: Transport;
  logger?: Logger;
}

export function buildServices(deps: ServiceDeps): Services {
  const risk = new RiskService(deps);
  const declarations = new DeclarationsService(deps as ServiceDeps & { config: { administrations?: readonly string[] } });
  // the one intake flow (src/flows/intake.ts): declarations store, risk assesses and opens controls
  const intake = new IntakeService({ ...deps, declarations, assessor: risk.assessor() });
  risk.selectivity.useConsignments((tx, country, documents) => declarations.consignments(tx, country, documents));
  const traders = new TradersService({ db: deps.db, clock: deps.clock, sources: { declarations: declarationFacts, controls: withAuditFindings(controlFacts) } });
  const intelligence = new IntelligenceService({ ...deps, traders });
  const kpi = new KpiService({ ...deps, traders });
  risk.setModelScorer(intelligence.scorer());
  risk.prices.useSource(intelligence.priceSource());
  const exchange = createExchange(deps);
  // AEO status changes go to the partner administrations this node trusts (a key); theirs are stored as recognised here
  traders.connect(exchange, async (sender) => [...new Set((await exchange.keys.list()).filter((k) => !k.revokedAt && k.administration !== sender).map((k) => k.administration))]);
  // transits, events, alerts and closures go to the administrations on the route; theirs come back here
  const transit = new TransitService({ db: deps.db, ref: deps.ref, clock: deps.clock, config: deps.config, exchange });
  for (const h of transit.handoff.handlers()) exchange.handle(h);
  const pca = new PcaService({ db: deps.db, clock: deps.clock, intelligence, directory: userDirectory(new AccessService(deps)), outcomes: traders });
  intelligence.useAuditLabels(pca.auditLabelSource());
  const cooperation = new CooperationService({ db: deps.db, clock: deps.clock, risk, exchange });
  for (const h of cooperationHandlers(cooperation)) exchange.handle(h);
  return { intake, risk, intelligence, traders, kpi, transit, exchange, pca, cooperation };
}

/** The user accounts post-clearance audit checks (an auditor on the roster, a tax participant a case is shared with). */
function userDirectory(access: AccessService): AuditorDirectory {
  return {
    user: async (id) => {
      const u = await access.getUser(SYSTEM_PRINCIPAL('GT'), id).catch(() => null);
      return u ? { id: u.id, name: u.displayName, role: u.role, country: u.country, active: u.active } : null;
    },
  };
}
