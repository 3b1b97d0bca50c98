/** HTTP routes of transit control, under /api/v1/transit. Thin: the service does the work. */
import { z } from 'zod';
import { AppError, NotFoundError, textErrors, ValidationError } from '../../core/errors.ts';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor, mayActOn, reachesAll, requireAdministration } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import { ALERT_KINDS } from './detectors.ts';
import { listMovements } from './repository.ts';
import { MOVEMENT_STATUSES } from './schema.ts';
import { TransitService } from './service.ts';
import * as R from './responses.ts';
import { problems } from '../../core/problem.ts';
import { toWire } from '../../core/wire.ts';

// who may do what, and over which administrations: src/modules/access/policy.ts (transit.*)

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals');
/** the administration a list is about: the one asked for (if within reach), else one's own, or none (all) where the action reaches every administration */
const concerningOf = (p: Principal, action: 'transit.read' | 'transit.alerts.read', asked: string | undefined) =>
  asked !== undefined ? administrationFor(p, action, asked) : reachesAll(p, action) ? undefined : p.country;
/** events recorded by people and country-scoped systems must happen at offices of their administration */
const scopeOf = (p: Principal) => (p.kind === 'system' ? undefined : p.country);
/** events in one batch request (a post's buffer) */
const MAX_BATCH = 5000;

export async function transitRoutes(app: App, deps: AppDeps, service: TransitService = new TransitService(deps)): Promise<void> {
  if (!app.hasContentTypeParser('application/x-ndjson')) {
    app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'], { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }
  const tags = ['transit'];

  app.post(
    '/api/v1/transit/movements',
    { preHandler: authorize('transit.record'), schema: { tags, summary: 'Declare a transit (idempotent on country + reference; changed content amends it). The time limit is the declared one (timeLimit), else Centinela proposes one from the route and says so.', body: z.unknown(), response: { 200: R.movementOutcomeView, 201: R.movementOutcomeView, ...problems } } },
    async (req, reply) => {
      const b = req.body as { country?: unknown } | null;
      if (b && typeof b.country === 'string') requireAdministration(principalOf(req), 'transit.record', b.country);
      const out = await service.declareMovement(req.body, req.principal!);
      return reply.code(out.status === 'created' ? 201 : 200).send(out);
    },
  );

  app.get(
    '/api/v1/transit/movements',
    { preHandler: authorize('transit.read'), schema: { tags, summary: 'Transits concerning your administration, latest departure first', querystring: z.object({ status: z.enum(MOVEMENT_STATUSES).optional(), country: country.optional(), limit: z.coerce.number().int().min(1).max(1000).default(50) }), response: { 200: R.movementList, ...problems } } },
    async (req) => {
      const concerning = concerningOf(principalOf(req), 'transit.read', req.query.country);
      return { items: toWire(await listMovements(deps.db, { concerning, status: req.query.status, limit: req.query.limit })) };
    },
  );

  app.get(
    '/api/v1/transit/movements/:id',
    { preHandler: authorize('transit.read'), schema: { tags, summary: 'A transit with its events (in event-time order) and its alerts', params: z.object({ id: z.uuid({ message: 'must be a UUID' }) }), response: { 200: R.movementDetail, ...problems } } },
    async (req) => {
      const r = await service.movement(req.params.id);
      // a transit concerns every administration on its route: visible to any of them, 404 to the others
      const p = principalOf(req);
      if (!r.movement.countries.some((c) => mayActOn(p, 'transit.read', c))) throw new NotFoundError(`transit ${req.params.id}`);
      const withData = <E extends { data: unknown }>(e: E) => ({ ...e, data: e.data as R.EventData });
      return toWire({ ...r, events: r.events.map(withData), ledgerRecords: r.ledgerRecords.map(withData) });
    },
  );

  app.post(
    '/api/v1/transit/events',
    { preHandler: authorize('transit.record'), schema: { tags, summary: 'Record one event (idempotent on eventId), naming the transit by reference or by what the post sees (tag, seal, plate, container); answers the alerts it raised and those it withdrew', body: z.unknown(), response: { 200: R.eventOutcomeView, 201: R.eventOutcomeView, ...problems } } },
    async (req, reply) => {
      const out = await service.recordEvent(req.body, req.principal!, 'api', { scope: scopeOf(req.principal!) });
      return reply.code(out.status === 'recorded' ? 201 : 200).send(out);
    },
  );

  app.post(
    '/api/v1/transit/events/import',
    { preHandler: authorize('transit.import'), schema: { tags, summary: 'Bulk events as JSON Lines (application/x-ndjson): a report with each rejected line and the alerts raised', response: { 200: R.ingestReportView, ...problems } } },
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

  app.post(
    '/api/v1/transit/events/batch',
    {
      preHandler: authorize('transit.record'),
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Many events in one request, for posts that buffer ({ "events": [...] }, at most 5,000): each event is recorded, a duplicate, or rejected with the fields at fault; an event is never half-written. Answers the alerts raised and those withdrawn.',
        body: z.unknown(),
        response: { 200: R.ingestReportView, ...problems },
      },
    },
    async (req) => {
      const b = req.body as { events?: unknown } | null;
      if (!b || typeof b !== 'object' || !Array.isArray(b.events)) throw new ValidationError([{ path: 'events', code: 'required', message: 'send { "events": [ ... ] }: an array of transit events' }]);
      if (b.events.length === 0) throw new ValidationError([{ path: 'events', code: 'too_small', message: 'send at least one event' }]);
      if (b.events.length > MAX_BATCH) throw new ValidationError([{ path: 'events', code: 'too_big', message: `at most ${MAX_BATCH} events in one request; split the buffer` }]);
      const r = await service.ingestEvents(b.events, req.principal!, 'api-batch', { scope: scopeOf(req.principal!) });
      return { ...r, alerts: r.alerts.slice(0, 1000), withdrawn: r.withdrawn.slice(0, 1000) };
    },
  );

  app.get(
    '/api/v1/transit/alerts',
    {
      preHandler: authorize('transit.alerts.read'),
      schema: {
        tags,
        summary: 'Alerts concerning your administration (departure, transit or destination), oldest first; each with a plain explanation in Spanish and English',
        querystring: z.object({ kind: z.enum(ALERT_KINDS).optional(), severity: z.enum(['low', 'medium', 'high', 'critical']).optional(), status: z.enum(['open', 'withdrawn', 'all']).default('open'), country: country.optional(), movementId: z.uuid().optional(), after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(5000).default(100) }),
        response: { 200: R.alertPage, ...problems },
      },
    },
    async (req) => {
      const q = req.query;
      const concerning = concerningOf(principalOf(req), 'transit.alerts.read', q.country);
      const items = await service.alerts({ concerning, kind: q.kind, severity: q.severity, status: q.status, movementId: q.movementId, after: q.after, limit: q.limit });
      return { items, next: items.length === q.limit ? items.length : null };
    },
  );

  app.post(
    '/api/v1/transit/sweep',
    { preHandler: authorize('transit.sweep'), schema: { tags, summary: "Run the time-based detectors now (overdue, never closed, port reconciliation) over the transits and arrivals of the caller's administrations", response: { 200: R.sweepView, ...problems } } },
    async (req) => {
      const r = await service.sweep(principalOf(req));
      return { movements: r.movements, arrivals: r.arrivals, alertsRaised: r.alertsRaised, alerts: r.alerts.slice(0, 1000) };
    },
  );

  app.get(
    '/api/v1/transit/verify',
    { preHandler: authorize('transit.verify'), schema: { tags, summary: "Recompute the hash chains of the transits and arrivals of the caller's administrations: names each altered or removed event", response: { 200: R.verifyView, ...problems } } },
    async (req) => service.verify({ actor: principalOf(req) }),
  );

  app.get(
    '/api/v1/transit/arrivals/:country/:manifest/reconciliation',
    { preHandler: authorize('transit.read'), schema: { tags, summary: 'Integrated cargo control: manifest ↔ discharge ↔ declaration for one arrival, with unmatched items', params: z.object({ country, manifest: z.string().min(1).max(64) }), response: { 200: R.reconciliationView, ...problems } } },
    async (req) => {
      requireAdministration(principalOf(req), 'transit.read', req.params.country);
      return service.reconcile(req.params.country, req.params.manifest);
    },
  );

  app.get(
    '/api/v1/transit/thresholds/:country',
    { preHandler: authorize('transit.thresholds.read'), schema: { tags, summary: 'Detector thresholds of your administration (defaults where not set)', params: z.object({ country }), response: { 200: R.thresholdsView, ...problems } } },
    async (req) => {
      requireAdministration(principalOf(req), 'transit.thresholds.read', req.params.country);
      return service.getThresholds(req.params.country);
    },
  );

  app.put(
    '/api/v1/transit/thresholds/:country',
    { preHandler: authorize('transit.thresholds.write'), schema: { tags, summary: 'Set some detector thresholds of your administration', params: z.object({ country }), body: z.unknown(), response: { 200: R.thresholdsView, ...problems } } },
    async (req) => {
      requireAdministration(principalOf(req), 'transit.thresholds.write', req.params.country);
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
      const value: unknown = JSON.parse(l);
      // text the database cannot store rejects the record, naming the field (the others go through)
      const text = textErrors(value);
      if (text.length) bad.push({ index: -1, line: i + 1, errors: text });
      else records.push({ line: i + 1, value });
    } catch (e) {
      bad.push({ index: -1, line: i + 1, errors: [{ path: '', code: 'invalid_json', message: `line ${i + 1} is not JSON: ${(e as Error).message}` }] });
    }
  });
  return { records, bad };
}
