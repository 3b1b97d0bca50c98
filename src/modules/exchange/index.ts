import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Db } from '../../db/client.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { MemoryBus, MemoryTransport } from './memory-transport.ts';
import { NatsTransport } from './nats-transport.ts';
import { ExchangeService } from './service.ts';
import type { Transport } from './transport.ts';

export { ExchangeService } from './service.ts';
export type { LinkStatus, Outcome, DeadLetterCode } from './service.ts';
export * from './contract.ts';

/**
 * The exchange of a node, from its configuration: NATS JetStream when `natsUrl` is set, else the
 * in-process transport (a bus of this node's own: its administrations exchange through it).
 */
export function createExchange(deps: {
  db: Db;
  clock: Clock;
  config: { administrations?: readonly string[]; natsUrl?: string; natsPrefix?: string; exchangeKeySecret?: string };
  transport?: Transport;
  logger?: Logger;
}): ExchangeService {
  const local = deps.config.administrations ?? ADMINISTRATIONS;
  const transport =
    deps.transport ??
    (deps.config.natsUrl ? new NatsTransport({ url: deps.config.natsUrl, prefix: deps.config.natsPrefix, name: `centinela ${local.join(',')}` }) : new MemoryTransport(new MemoryBus()));
  return new ExchangeService({ db: deps.db, clock: deps.clock, local, transport, logger: deps.logger, keySecret: deps.config.exchangeKeySecret });
}
