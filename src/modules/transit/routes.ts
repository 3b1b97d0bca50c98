/** HTTP routes of transit control, under /api/v1/transit. Thin: the service does the work. */
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { App, AppDeps } from '../../server/deps.ts';
import { requireCountry, requireRole } from '../access/auth.ts';
import type { Principal, Role } from '../access/types.ts';
import { ALERT_KINDS } from './detectors.ts';
import { listMovements } from './repository.ts';
import { MOVEMENT_STATUSES } from './schema.ts';
import { TransitService } from './service.ts';

/** who records events and declares transits (one at a time) */
const RECORDERS: Role[] = ['officer', 'supervisor', 'system'];
/** who sends events in bulk: national systems, port community systems, RFID and e-seal platforms */
const BULK: Role[] = ['system'];
/** who reads alerts */
const ALERT_READERS: Role[] = ['risk_analyst', 'supervisor', 'manager', 'regional_analyst'];
/** who reads movements and reconciliations */
const READERS: Role[] = ['officer', 'supervisor', 'risk_analyst', 'manager', 'regional_analyst', 'auditor'];
const VERIFIERS: Role[] = ['auditor', 'supervisor', 'manager', 'admin'];
const SWEEPERS: Role[] = ['system', 'supervisor', 'admin'];
const TUNERS: Role[] = ['admin', 'supervisor'];

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals');
const seesAll = (p: Principal) => p.role === 'regional_analyst' || p.kind === 'system';
/** events recorded by people and country-scoped systems must happen at offices of their administration */
const scopeOf = (p: Principal) => (p.kind === 'system' ? undefined : p.country);

export async function transitRoutes(app: App, deps: AppDeps, service: TransitService = new TransitService(deps)): Promise<void> {
  if (!app.hasContentTypeParser('application/x-ndjson')) {
    app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'], { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }
  const tags = ['transit'];

  app.post(
    '/api/v1/transit/movements',
    { preHandler: requireRole(...RECORDERS), schema: { tags, summary: 'Declare a transit (idempotent on country + reference; changed content amends it). The time limit comes from the route.', body: z.any() } },
    async (req, reply) => {
      const b = req.body as { country?: unknown } | null;
      if (b && typeof b.country === 'string') requireCountry(req.principal!, b.country);
      const out = await service.declareMovement(req.body, req.principal!);
      return reply.code(out.status === 'created' ? 201 : 200).send(out);
    },
  );

  app.get(
    '/api/v1/transit/movements',
    { preHandler: requireRole(...READERS), schema: { tags, summary: 'Transits concerning your administration, latest departure first', querystring: z.object({ status: z.enum(MOVEMENT_STATUSES).optional(), country: country.optional(), limit: z.coerce.number().int().min(1).max(1000).default(50) }) } },
    async (req) => {
      const p = req.principal!;
      const concerning = seesAll(p) ? req.query.country : (req.query.country && requireCountry(p, req.query.country), p.country);
      return { items: await listMovements(deps.db, { concerning, status: req.query.status, limit: req.query.limit }) };
    },
  );

  app.get(
    '/api/v1/transit/movements/:id',
    { preHandler: requireRole(...READERS), schema: { tags, summary: 'A transit with its events (in event-time order) and its alerts', params: z.object({ id: z.uuid({ message: 'must be a UUID' }) }) } },
    async (req) => {
      const r = await service.movement(req.params.id);
      if (!seesAll(req.principal!) && !r.movement.countries.includes(req.principal!.country)) throw new NotFoundError(`transit ${req.params.id}`);
      return r;
    },
  );

  app.post(
    '/api/v1/transit/events',
    { preHandler: requireRole(...RECORDERS), schema: { tags, summary: 'Record one event (idempotent on eventId); answers the alerts it raised', body: z.any() } },
    async (req, reply) => {
      const out = await service.recordEvent(req.body, req.principal!, 'api', { scope: scopeOf(req.principal!) });
      return reply.code(out.status === 'recorded' ? 201 : 200).send(out);
    },
  );

  app.post(
    '/api/v1/transit/events/import',
    { preHandler: requireRole(...BULK), schema: { tags, summary: 'Bulk events as JSON Lines (application/x-ndjson): a report with each rejected line and the alerts raised' } },
    async (req) => {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'].includes(ct))
        throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', `send JSON Lines as application/x-ndjson, not "${ct}"`, [{ path: 'content-type', code: 'unsupported_media_type', message: 'send application/x-ndjson' }]);
      if (typeof req.body !== 'string') throw new ValidationError([{ path: 'body', code: 'required', message: 'send the events, one JSON object a line' }]);
      const { records, bad } = parseJsonLines(req.body);
      const r = await service.ingestEvents(records.map((x) => x.value), req.principal!, 'api-bulk', { scope: scopeOf(req.principal!) });
      const rejected = [...bad, ...r.rejected.map((x) => ({ ...x, line: records[x.index].line }))].sort((a, b) => a.line - b.line);
      return { ...r, rejected, alerts: r.alerts.slice(0, 1000) };
    },
  );

  app.get(
    '/api/v1/transit/alerts',
    {
      preHandler: requireRole(...ALERT_READERS),
      schema: {
        tags,
        summary: 'Alerts concerning your administration (departure, transit or destination), oldest first; each with a plain explanation in Spanish and English',
        querystring: z.object({ kind: z.enum(ALERT_KINDS).optional(), severity: z.enum(['low', 'medium', 'high', 'critical']).optional(), country: country.optional(), movementId: z.uuid().optional(), after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(5000).default(100) }),
      },
    },
    async (req) => {
      const p = req.principal!;
      const q = req.query;
      const concerning = seesAll(p) ? q.country : (q.country && requireCountry(p, q.country), p.country);
      const items = await service.alerts({ concerning, kind: q.kind, severity: q.severity, movementId: q.movementId, after: q.after, limit: q.limit });
      return { items, next: items.length === q.limit ? items.length : null };
    },
  );

  app.post(
    '/api/v1/transit/sweep',
    { preHandler: requireRole(...SWEEPERS), schema: { tags, summary: 'Run the time-based detectors now (overdue, never closed, port reconciliation)' } },
    async (req) => {
      const r = await service.sweep(req.principal!);
      return { movements: r.movements, arrivals: r.arrivals, alertsRaised: r.alertsRaised, alerts: r.alerts.slice(0, 1000) };
    },
  );

  app.get(
    '/api/v1/transit/verify',
    { preHandler: requireRole(...VERIFIERS), schema: { tags, summary: 'Recompute the hash chains of every transit and arrival: names each altered or removed event' } },
    async () => service.verify(),
  );

  app.get(
    '/api/v1/transit/arrivals/:country/:manifest/reconciliation',
    { preHandler: requireRole(...READERS), schema: { tags, summary: 'Integrated cargo control: manifest ↔ discharge ↔ declaration for one arrival, with unmatched items', params: z.object({ country, manifest: z.string().min(1).max(64) }) } },
    async (req) => {
      if (!seesAll(req.principal!)) requireCountry(req.principal!, req.params.country);
      return service.reconcile(req.params.country, req.params.manifest);
    },
  );

  app.get(
    '/api/v1/transit/thresholds/:country',
    { preHandler: requireRole(...READERS, ...TUNERS), schema: { tags, summary: 'Detector thresholds of an administration (defaults where not set)', params: z.object({ country }) } },
    async (req) => service.getThresholds(req.params.country),
  );

  app.put(
    '/api/v1/transit/thresholds/:country',
    { preHandler: requireRole(...TUNERS), schema: { tags, summary: 'Set some detector thresholds of your administration', params: z.object({ country }), body: z.any() } },
    async (req) => {
      requireCountry(req.principal!, req.params.country);
      return service.setThresholds(req.params.country, req.body, req.principal!);
    },
  );
}

/** JSON Lines into records (with their line numbers) and lines that are not JSON. */
export function parseJsonLines(text: string): { records: { line: number; value: unknown }[]; bad: { index: number; line: number; errors: { path: string; code: string; message: string }[] }[] } {
  const records: { line: number; value: unknown }[] = [];
  const bad: { index: number; line: number; errors: { path: string; code: string; message: string }[] }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      records.push({ line: i + 1, value: JSON.parse(l) });
    } catch (e) {
      bad.push({ index: -1, line: i + 1, errors: [{ path: '', code: 'invalid_json', message: `line ${i + 1} is not JSON: ${(e as Error).message}` }] });
    }
  });
  return { records, bad };
}
