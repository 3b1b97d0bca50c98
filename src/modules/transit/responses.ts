import { z } from 'zod';

/**
 * Response shapes of the transit routes. The serializer keeps only the fields named here; the
 * open parts (an alert's params and evidence, an event's data, a movement's stored declaration)
 * are loose objects, kept whole.
 */

const bilingual = z.object({ es: z.string(), en: z.string() });
const fieldError = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const alertView = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.string().describe('low | medium | high | critical'),
  country: z.string(),
  countries: z.array(z.string()),
  administrations: z.object({ departure: z.string().nullable(), transit: z.array(z.string()), destination: z.string().nullable() }),
  movementId: z.string().nullable(),
  subject: z.string(),
  code: z.string(),
  params: z.record(z.string(), z.unknown()),
  evidence: z.record(z.string(), z.unknown()),
  message: bilingual,
  status: z.string().describe('open | withdrawn'),
  raisedAt: z.string(),
  withdrawnAt: z.string().nullable(),
  withdrawal: z
    .object({ reason: z.string(), params: z.record(z.string(), z.unknown()), explainedBy: z.array(z.string()), ledgerEventId: z.string(), message: bilingual })
    .nullable()
    .describe('set when a later event explained the alert away: it is kept, with the reason'),
  receivedFrom: z.string().nullable().describe("null: raised by this node's detectors; else the partner administration that raised it (received over the regional exchange)"),
  receivedAt: z.string().nullable().describe('when it was received from the partner'),
});

export const movementOutcomeView = z.object({
  index: z.number(),
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  status: z.enum(['created', 'amended', 'unchanged']),
  distanceKm: z.number(),
  timeLimit: z.string().describe('the limit in force'),
  timeLimitSource: z.enum(['declared', 'proposed']),
  proposedTimeLimit: z.string().describe('the limit Centinela computes from the route'),
  note: bilingual.optional().describe('when the limit is proposed, a note saying so'),
});

export const movementView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  mode: z.number(),
  officeOfDeparture: z.string(),
  officeOfDestination: z.string(),
  route: z.array(z.string()),
  countries: z.array(z.string()),
  distanceKm: z.number(),
  departureAt: z.string(),
  timeLimit: z.string(),
  declaredTimeLimit: z.string().nullable(),
  proposedTimeLimit: z.string().nullable(),
  timeLimitSource: z.string().describe('declared | proposed'),
  arrivedAt: z.string().nullable(),
  plate: z.string().nullable(),
  rfidTag: z.string().nullable(),
  containers: z.array(z.string()),
  seals: z.array(z.string()),
  grossMassKg: z.number(),
  packages: z.number(),
  status: z.string().describe('declared | in_transit | arrived | cancelled'),
  contentHash: z.string(),
  payload: z.unknown().describe('the transit as declared (the movement contract), as stored'),
  eventCount: z.number(),
  headHash: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  receivedFrom: z.string().nullable().describe("null: declared at this node; else the partner administration of departure that sent it over the regional exchange (its record, kept so that this node's detectors see the whole journey)"),
  receivedAt: z.string().nullable(),
});

export const movementList = z.object({ items: z.array(movementView) });

/** An event's own fields, by type (stored as sent). */
export const eventData = z
  .looseObject({
    direction: z.enum(['exit', 'entry']).optional(),
    seals: z.array(z.looseObject({ number: z.string(), intact: z.boolean() })).optional(),
    grossMassKg: z.number().optional(),
    lat: z.number().optional(),
    lon: z.number().optional(),
    reason: z.string().optional(),
    tag: z.string().optional(),
  })
  .describe("the event's own fields, by type");
export type EventData = z.output<typeof eventData>;

export const eventView = z.object({
  chain: z.string(),
  seq: z.number(),
  eventId: z.string(),
  movementId: z.string().nullable(),
  type: z.string(),
  at: z.string(),
  office: z.string().nullable(),
  country: z.string().nullable(),
  data: eventData,
  receivedAt: z.string(),
  prevHash: z.string(),
  hash: z.string(),
  receivedFrom: z.string().nullable().describe('null: recorded at this node; else the partner administration that reported it (a partner leg)'),
});

export const exchangeLogEntry = z.object({
  messageId: z.string().nullable(),
  direction: z.enum(['in', 'out']),
  kind: z.string(),
  sender: z.string(),
  recipients: z.array(z.string()),
  summary: z.record(z.string(), z.unknown()),
  at: z.string(),
  deliveries: z
    .array(z.object({ recipient: z.string(), state: z.enum(['queued', 'sent', 'applied', 'refused']), reason: z.string().nullable(), answeredAt: z.string().nullable() }))
    .describe('for a message this node sent: its state at each recipient'),
});

export const movementDetail = z.object({
  movement: movementView,
  events: z.array(eventView).describe('in event-time order'),
  ledgerRecords: z.array(eventView).describe('records the ledger keeps beside the events (withdrawals of alerts)'),
  alerts: z.array(alertView),
  exchange: z.array(exchangeLogEntry).describe('what this node sent to and received from partners about this transit, oldest first'),
});

export const eventOutcomeView = z.object({
  status: z.enum(['recorded', 'duplicate']),
  eventId: z.string(),
  alerts: z.array(alertView).describe('raised by this event'),
  withdrawn: z.array(alertView).describe('explained away by this event'),
});

const rejectedView = z.object({ index: z.number(), eventId: z.string().optional(), reference: z.string().optional(), errors: z.array(fieldError) });

export const ingestReportView = z.object({
  received: z.number(),
  recorded: z.number(),
  duplicates: z.number(),
  rejected: z.array(rejectedView.extend({ line: z.number().optional().describe('the line of the JSON Lines body (import)') })),
  movements: z.number(),
  alertsRaised: z.number(),
  alerts: z.array(alertView).describe('at most 1,000'),
  alertsWithdrawn: z.number(),
  withdrawn: z.array(alertView),
  results: z
    .array(z.object({ index: z.number(), eventId: z.string().optional(), status: z.enum(['recorded', 'duplicate', 'rejected']), movementId: z.string().optional() }))
    .optional()
    .describe('per event, by position: what became of it'),
});

export const alertPage = z.object({ items: z.array(alertView), next: z.number().nullable() });

export const sweepView = z.object({ movements: z.number(), arrivals: z.number(), alertsRaised: z.number(), alerts: z.array(alertView).describe('at most 1,000') });

export const verifyView = z.object({
  ok: z.boolean(),
  chains: z.number(),
  events: z.number(),
  problems: z.array(
    z.object({
      chain: z.string(),
      subject: z.string().describe("the movement's reference (country/reference) or the arrival"),
      movementId: z.string().nullable(),
      seq: z.number(),
      eventId: z.string().nullable(),
      kind: z.enum(['altered', 'removed', 'head_mismatch']),
      detail: z.string(),
    }),
  ),
});

const reconciliationLine = z.object({
  transportDocument: z.string(),
  status: z.enum(['matched', 'not_declared', 'not_discharged', 'not_arrived', 'mismatch', 'not_manifested', 'pending']),
  manifest: z.object({ packages: z.number(), grossMassKg: z.number() }).nullable(),
  discharge: z.object({ packages: z.number(), grossMassKg: z.number(), dischargedAt: z.string(), eventId: z.string() }).nullable(),
  declarations: z.array(z.object({ reference: z.string(), lodgedAt: z.string() })),
  notes: z.array(z.string()),
});

export const reconciliationView = z.object({
  arrival: z.object({ country: z.string(), manifest: z.string(), office: z.string(), arrivalAt: z.string() }),
  summary: z.record(z.string(), z.number()).describe('lines by status'),
  lines: z.array(reconciliationLine),
  unmatched: z.array(reconciliationLine),
  alerts: z.array(alertView),
});

export const thresholdsView = z.object({
  roadFactor: z.number(),
  limitSpeedKmh: z.object({ road: z.number(), rail: z.number(), maritime: z.number() }),
  borderAllowanceHours: z.number(),
  baseHours: z.number(),
  checkpointToleranceHours: z.number(),
  arrivalToleranceHours: z.number(),
  closureGraceHours: z.number(),
  settleHours: z.number(),
  weightTolerancePct: z.number(),
  maxSpeedKmh: z.number(),
  minDistanceKm: z.number(),
  cloneWindowMinutes: z.number(),
  cloneMinKm: z.number(),
  dischargeGraceDays: z.number(),
  declarationPeriodDays: z.number(),
  massTolerancePct: z.number(),
  packagesTolerance: z.number(),
});
