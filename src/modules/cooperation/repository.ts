import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';

/** The drizzle queries of regional risk cooperation: its own tables only (risk's data through RiskService). */

export type RifRow = typeof schema.coopRifs.$inferSelect;
export type RifInsert = typeof schema.coopRifs.$inferInsert;
export type RifAnswerRow = typeof schema.coopRifAnswers.$inferSelect;
export type ProposalRow = typeof schema.coopProposals.$inferSelect;
export type ProposalInsert = typeof schema.coopProposals.$inferInsert;
export type ProposalAnswerRow = typeof schema.coopProposalAnswers.$inferSelect;
export type ProposalHitsRow = typeof schema.coopProposalHits.$inferSelect;
export type IntelRow = typeof schema.coopIntel.$inferSelect;
export type IntelInsert = typeof schema.coopIntel.$inferInsert;

const R = schema.coopRifs;
const P = schema.coopProposals;
const I = schema.coopIntel;

// ------------------------------------------------------------------ RIFs

/** Inserts a RIF copy; false when this administration already holds it (a message applied twice). */
export async function insertRif(tx: Tx, row: RifInsert): Promise<boolean> {
  const r = await tx.insert(R).values(row).onConflictDoNothing().returning({ id: R.id });
  return r.length > 0;
}

export async function findRif(tx: Tx, id: string, country: string, forUpdate = false): Promise<RifRow | undefined> {
  const q = tx.select().from(R).where(and(eq(R.id, id), eq(R.country, country)));
  const [r] = forUpdate ? await q.for('update') : await q;
  return r;
}

/** A RIF by id among the administrations given (the first found). */
export async function findRifIn(tx: Tx, id: string, countries: readonly string[]): Promise<RifRow | undefined> {
  if (!countries.length) return undefined;
  const [r] = await tx.select().from(R).where(and(eq(R.id, id), inArray(R.country, [...countries]))).limit(1);
  return r;
}

export async function listRifs(tx: Tx, f: { country: string; direction: 'inbound' | 'outbound'; status?: string; limit: number }): Promise<RifRow[]> {
  const where = [eq(R.country, f.country), eq(R.direction, f.direction)];
  if (f.status) where.push(eq(R.status, f.status));
  return tx.select().from(R).where(and(...where)).orderBy(desc(R.createdAt)).limit(f.limit);
}

/** Inbound RIFs accepted here whose criterion exists (their sender gets each change of its state). */
export async function acceptedRifs(tx: Tx, country: string): Promise<RifRow[]> {
  return tx
    .select()
    .from(R)
    .where(and(eq(R.country, country), eq(R.direction, 'inbound'), eq(R.status, 'accepted')))
    .orderBy(asc(R.createdAt));
}

export async function updateRif(tx: Tx, id: string, country: string, set: Partial<RifInsert>): Promise<void> {
  await tx.update(R).set(set).where(and(eq(R.id, id), eq(R.country, country)));
}

export async function upsertRifAnswer(tx: Tx, row: typeof schema.coopRifAnswers.$inferInsert): Promise<void> {
  const A = schema.coopRifAnswers;
  await tx
    .insert(A)
    .values(row)
    .onConflictDoUpdate({ target: [A.rifId, A.country, A.partner], set: { decision: row.decision, reason: row.reason, criterionStatus: row.criterionStatus, criterionName: row.criterionName, answeredAt: row.answeredAt, receivedAt: row.receivedAt, messageId: row.messageId } });
}

export async function rifAnswers(tx: Tx, country: string, rifIds: string[]): Promise<RifAnswerRow[]> {
  const A = schema.coopRifAnswers;
  return rifIds.length ? tx.select().from(A).where(and(eq(A.country, country), inArray(A.rifId, rifIds))).orderBy(asc(A.answeredAt)) : [];
}

// ------------------------------------------------------------------ common criteria

export async function insertProposal(tx: Tx, row: ProposalInsert): Promise<boolean> {
  const r = await tx.insert(P).values(row).onConflictDoNothing().returning({ id: P.id });
  return r.length > 0;
}

/** A proposal held by `country`: its inbound copy (a member's) or outbound one (the proposer's); without a direction, the inbound copy first. */
export async function findProposal(tx: Tx, id: string, country: string, direction?: 'inbound' | 'outbound', forUpdate = false): Promise<ProposalRow | undefined> {
  const where = [eq(P.id, id), eq(P.country, country)];
  if (direction) where.push(eq(P.direction, direction));
  const q = tx.select().from(P).where(and(...where)).orderBy(asc(P.direction)).limit(1);
  const [r] = forUpdate ? await q.for('update') : await q;
  return r;
}

export async function listProposals(tx: Tx, f: { country: string; direction: 'inbound' | 'outbound'; status?: string; limit: number }): Promise<ProposalRow[]> {
  const where = [eq(P.country, f.country), eq(P.direction, f.direction)];
  if (f.status) where.push(eq(P.status, f.status));
  return tx.select().from(P).where(and(...where)).orderBy(desc(P.createdAt)).limit(f.limit);
}

/** Inbound common criteria adopted here (adopted or adapted) with a criterion: those whose hit rates go back. */
export async function adoptedProposals(tx: Tx, country: string): Promise<ProposalRow[]> {
  return tx
    .select()
    .from(P)
    .where(and(eq(P.country, country), eq(P.direction, 'inbound'), inArray(P.status, ['adopted', 'adapted'])))
    .orderBy(asc(P.createdAt));
}

export async function updateProposal(tx: Tx, id: string, country: string, direction: 'inbound' | 'outbound', set: Partial<ProposalInsert>): Promise<void> {
  await tx.update(P).set(set).where(and(eq(P.id, id), eq(P.country, country), eq(P.direction, direction)));
}

export async function upsertProposalAnswer(tx: Tx, row: typeof schema.coopProposalAnswers.$inferInsert): Promise<void> {
  const A = schema.coopProposalAnswers;
  await tx
    .insert(A)
    .values(row)
    .onConflictDoUpdate({ target: [A.proposalId, A.country, A.member], set: { decision: row.decision, reason: row.reason, scope: row.scope, criterionStatus: row.criterionStatus, answeredAt: row.answeredAt, receivedAt: row.receivedAt, messageId: row.messageId } });
}

export async function proposalAnswers(tx: Tx, country: string, ids: string[]): Promise<ProposalAnswerRow[]> {
  const A = schema.coopProposalAnswers;
  return ids.length ? tx.select().from(A).where(and(eq(A.country, country), inArray(A.proposalId, ids))).orderBy(asc(A.member)) : [];
}

export async function findProposalAnswer(tx: Tx, id: string, country: string, member: string): Promise<ProposalAnswerRow | undefined> {
  const A = schema.coopProposalAnswers;
  const [r] = await tx.select().from(A).where(and(eq(A.proposalId, id), eq(A.country, country), eq(A.member, member)));
  return r;
}

/** A member's figures for a period: a report of the same period again replaces the earlier one. */
export async function upsertHits(tx: Tx, row: typeof schema.coopProposalHits.$inferInsert): Promise<void> {
  const H = schema.coopProposalHits;
  await tx
    .insert(H)
    .values(row)
    .onConflictDoUpdate({
      target: [H.proposalId, H.country, H.member, H.periodFrom, H.periodTo],
      set: { evaluated: row.evaluated, hits: row.hits, controls: row.controls, controlsWithFindings: row.controlsWithFindings, criterionStatus: row.criterionStatus, reportedAt: row.reportedAt, receivedAt: row.receivedAt, messageId: row.messageId },
    });
}

export async function proposalHits(tx: Tx, country: string, ids: string[]): Promise<ProposalHitsRow[]> {
  const H = schema.coopProposalHits;
  return ids.length ? tx.select().from(H).where(and(eq(H.country, country), inArray(H.proposalId, ids))).orderBy(asc(H.member), asc(H.periodFrom)) : [];
}

// ------------------------------------------------------------------ seizures and control results

export async function insertIntel(tx: Tx, row: IntelInsert): Promise<boolean> {
  const r = await tx.insert(I).values(row).onConflictDoNothing().returning({ id: I.id });
  return r.length > 0;
}

export async function findIntel(tx: Tx, id: string, country: string, forUpdate = false): Promise<IntelRow | undefined> {
  const q = tx.select().from(I).where(and(eq(I.id, id), eq(I.country, country)));
  const [r] = forUpdate ? await q.for('update') : await q;
  return r;
}

export async function sharedOfControl(tx: Tx, country: string, controlId: string, kind: string): Promise<IntelRow | undefined> {
  const [r] = await tx.select().from(I).where(and(eq(I.country, country), eq(I.direction, 'outbound'), eq(I.controlId, controlId), eq(I.kind, kind)));
  return r;
}

export async function listIntel(tx: Tx, f: { country: string; direction: 'inbound' | 'outbound'; kind?: string; limit: number }): Promise<IntelRow[]> {
  const where = [eq(I.country, f.country), eq(I.direction, f.direction)];
  if (f.kind) where.push(eq(I.kind, f.kind));
  return tx.select().from(I).where(and(...where)).orderBy(desc(I.occurredAt)).limit(f.limit);
}

export async function updateIntel(tx: Tx, id: string, country: string, set: Partial<IntelInsert>): Promise<void> {
  await tx.update(I).set(set).where(and(eq(I.id, id), eq(I.country, country)));
}
