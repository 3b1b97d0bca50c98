import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock.ts';
import { schema, type Tx } from '../../db/client.ts';

export interface SelectivitySeed {
  /** public name of the seed, recorded with each decision */
  id: string;
  /** the secret itself: never leaves the server */
  secret: string;
}

const KEY = 'selectivity.seed';

/** The installation's secret seed for random control, made once at first use. */
export async function selectivitySeed(db: Tx, clock: Clock): Promise<SelectivitySeed> {
  const found = await db.select().from(schema.settings).where(eq(schema.settings.key, KEY));
  if (found[0]) return found[0].value as SelectivitySeed;
  const now = clock.now();
  const value: SelectivitySeed = {
    id: `seed-${now.toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
  await db.insert(schema.settings).values({ key: KEY, value, updatedAt: now }).onConflictDoNothing();
  const again = await db.select().from(schema.settings).where(eq(schema.settings.key, KEY));
  return again[0].value as SelectivitySeed;
}

export { sql };
