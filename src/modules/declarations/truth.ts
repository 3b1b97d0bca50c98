import fs from 'node:fs';
import readline from 'node:readline';
import { sql } from 'drizzle-orm';
import { schema, type Db } from '../../db/client.ts';

export interface GroundTruthRecord {
  kind: string;
  country: string;
  reference: string;
  fraudType: string | null;
  revenueAtStake: number;
  details: Record<string, unknown>;
}

/** Stores the simulator's ground truth (idempotent: a record already there is replaced). */
export async function storeGroundTruth(db: Db, rows: GroundTruthRecord[]): Promise<void> {
  if (!rows.length) return;
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 2000) {
      await tx
        .insert(schema.groundTruth)
        .values(rows.slice(i, i + 2000).map((r) => ({ ...r, fraudType: r.fraudType ?? null })))
        .onConflictDoUpdate({
          target: [schema.groundTruth.country, schema.groundTruth.kind, schema.groundTruth.reference],
          set: { fraudType: sql`excluded.fraud_type`, revenueAtStake: sql`excluded.revenue_at_stake`, details: sql`excluded.details` },
        });
    }
  });
}

export async function importGroundTruth(db: Db, file: string): Promise<number> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let batch: GroundTruthRecord[] = [];
  let n = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    batch.push(JSON.parse(line));
    if (batch.length >= 5000) {
      await storeGroundTruth(db, batch);
      n += batch.length;
      batch = [];
    }
  }
  await storeGroundTruth(db, batch);
  return n + batch.length;
}

