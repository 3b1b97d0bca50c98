import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../db/client.ts';

/** What the risk module's services are built with (by the composition root, src/app/services.ts). */
export interface RiskDeps {
  db: Db;
  clock: Clock;
  config: { randomControlRate: number };
}
