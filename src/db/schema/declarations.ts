import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const declarations = pgTable(
  'declarations',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    reference: text('reference').notNull(),
    type: text('type').notNull(),
    office: text('office').notNull(),
    lodgedAt: ts('lodged_at').notNull(),
    declarantTin: text('declarant_tin').notNull(),
    importerTin: text('importer_tin'),
    exporterTin: text('exporter_tin'),
    itemCount: integer('item_count').notNull(),
    totalValue: doublePrecision('total_value').notNull(),
    currency: text('currency').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    unique('declarations_country_reference_uq').on(t.country, t.reference),
    index('declarations_country_lodged_idx').on(t.country, t.lodgedAt),
    index('declarations_importer_idx').on(t.importerTin),
    index('declarations_country_updated_idx').on(t.country, t.updatedAt),
    index('declarations_country_importer_lodged_idx').on(t.country, t.importerTin, t.lodgedAt),
  ],
);

export const declarationVersions = pgTable(
  'declaration_versions',
  {
    id: uuid('id').primaryKey(),
    declarationId: uuid('declaration_id')
      .notNull()
      .references(() => declarations.id),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull(),
    source: text('source').notNull(),
  },
  (t) => [unique('declaration_versions_uq').on(t.declarationId, t.version)],
);

/** The current version's items, one row each, for queries across declarations. */
export const declarationItems = pgTable(
  'declaration_items',
  {
    declarationId: uuid('declaration_id')
      .notNull()
      .references(() => declarations.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    hsCode: text('hs_code').notNull(),
    origin: text('origin').notNull(),
    quantity: doublePrecision('quantity').notNull(),
    unit: text('unit').notNull(),
    netMassKg: doublePrecision('net_mass_kg').notNull(),
    grossMassKg: doublePrecision('gross_mass_kg').notNull(),
    customsValue: doublePrecision('customs_value').notNull(),
    currency: text('currency').notNull(),
    dutyRate: doublePrecision('duty_rate'),
  },
  (t) => [primaryKey({ columns: [t.declarationId, t.line] }), index('declaration_items_hs_idx').on(t.hsCode)],
);

export const manifests = pgTable(
  'manifests',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    reference: text('reference').notNull(),
    office: text('office').notNull(),
    mode: text('mode').notNull(),
    conveyance: text('conveyance').notNull(),
    carrier: text('carrier').notNull(),
    arrivalAt: ts('arrival_at').notNull(),
    consignmentCount: integer('consignment_count').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    unique('manifests_country_reference_uq').on(t.country, t.reference),
    index('manifests_country_arrival_idx').on(t.country, t.arrivalAt),
  ],
);

export const manifestVersions = pgTable(
  'manifest_versions',
  {
    id: uuid('id').primaryKey(),
    manifestId: uuid('manifest_id')
      .notNull()
      .references(() => manifests.id),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull(),
    source: text('source').notNull(),
  },
  (t) => [unique('manifest_versions_uq').on(t.manifestId, t.version)],
);

/** The current version's consignments (bill of lading / waybill), one row each. */
export const consignments = pgTable(
  'consignments',
  {
    manifestId: uuid('manifest_id')
      .notNull()
      .references(() => manifests.id, { onDelete: 'cascade' }),
    transportDocument: text('transport_document').notNull(),
    shipper: text('shipper').notNull(),
    consignee: text('consignee').notNull(),
    consigneeTin: text('consignee_tin'),
    description: text('description').notNull(),
    hsCode: text('hs_code'),
    packages: integer('packages').notNull(),
    grossMassKg: doublePrecision('gross_mass_kg').notNull(),
    containers: jsonb('containers').notNull(),
  },
  (t) => [primaryKey({ columns: [t.manifestId, t.transportDocument] })],
);

/** Reports of bulk imports: what was accepted, unchanged, amended and rejected (with why). */
export const importBatches = pgTable('import_batches', {
  id: uuid('id').primaryKey(),
  kind: text('kind').notNull(),
  format: text('format').notNull(),
  source: text('source').notNull(),
  actor: text('actor').notNull(),
  startedAt: ts('started_at').notNull(),
  finishedAt: ts('finished_at'),
  accepted: integer('accepted').notNull().default(0),
  amended: integer('amended').notNull().default(0),
  unchanged: integer('unchanged').notNull().default(0),
  rejected: integer('rejected').notNull().default(0),
  rejections: jsonb('rejections').notNull().default([]),
});
