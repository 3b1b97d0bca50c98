import { z } from 'zod';
import { AppError, ValidationError } from '../../core/errors.ts';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor, requireVisible } from '../access/policy.ts';
import * as repo from './repository.ts';
import { runImport, type ImportFormat } from './import.ts';
import { CHANNELS, DECLARATION_TYPES } from './schema.ts';
import type { IntakePort } from './service.ts';
import * as R from './responses.ts';
import { problems } from '../../core/problem.ts';

const iso = (d: Date) => d.toISOString();
/** channels as stored (text columns; always one of CHANNELS) */
const ch = (c: string) => c as (typeof CHANNELS)[number];
type Reasons = z.output<typeof R.reasonView>[];

const idParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function importFormat(contentType: string | undefined): ImportFormat {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'text/csv') return 'csv';
  if (ct === 'application/x-ndjson' || ct === 'application/jsonl' || ct === 'application/x-jsonlines') return 'jsonl';
  throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', `content-type "${ct}" is not an import format: send application/x-ndjson (JSON Lines) or text/csv`, [
    { path: 'content-type', code: 'unsupported_media_type', message: 'send application/x-ndjson (JSON Lines) or text/csv' },
  ]);
}

export async function declarationRoutes(app: App, deps: AppDeps & { intake: IntakePort }) {
  const { intake, db } = deps;

  // bulk bodies arrive as text and are parsed record by record
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/csv'], { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post(
    '/api/v1/declarations',
    {
      preHandler: authorize('declarations.submit'),
      schema: {
        tags: ['declarations'],
        summary: 'Submit a declaration (idempotent on country + reference; changed content is an amendment)',
        body: z.unknown().describe('A declaration, as in the DeclarationInput contract'),
        response: { 200: R.declarationOutcomeView, 201: R.declarationOutcomeView, ...problems },
      },
    },
    async (req, reply) => {
      const out = await intake.submitDeclaration(req.body, req.principal!, 'api');
      const { index: _i, ...rest } = out;
      return reply.code(out.status === 'created' ? 201 : 200).send(rest);
    },
  );

  app.post(
    '/api/v1/declarations/import',
    {
      preHandler: authorize('declarations.submit'),
      schema: {
        tags: ['declarations'],
        summary: 'Bulk import of declarations as JSON Lines (application/x-ndjson) or CSV (text/csv); answers a report with each rejected record',
        response: { 200: R.importReportView, ...problems },
      },
    },
    async (req) => {
      const format = importFormat(req.headers['content-type']);
      if (typeof req.body !== 'string') throw new ValidationError([{ path: 'body', code: 'required', message: 'send the file content as the request body' }]);
      return runImport({ db, clock: deps.clock, intake }, { kind: 'declarations', format, source: { text: req.body, name: 'api' }, actor: req.principal!, onInternalError: (incident, detail) => req.log.error({ incident, detail }, 'import: a record the database refused') });
    },
  );

  app.get(
    '/api/v1/declarations',
    {
      preHandler: authorize('declarations.read'),
      schema: {
        tags: ['declarations'],
        summary: 'List declarations, newest first, with their current channel',
        querystring: z.object({
          country: z.string().regex(/^[A-Z]{2}$/).optional(),
          office: z.string().optional(),
          type: z.enum(DECLARATION_TYPES).optional(),
          channel: z.enum(CHANNELS).optional(),
          trader: z.string().optional(),
          reference: z.string().optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          cursor: z.string().optional().describe('the nextCursor of the previous page'),
        }),
        response: { 200: R.declarationPage, ...problems },
      },
    },
    async (req) => {
      const q = req.query;
      const country = administrationFor(principalOf(req), 'declarations.read', q.country);
      let before: { lodgedAt: Date; id: string } | undefined;
      if (q.cursor) {
        const [t, id, ...rest] = Buffer.from(q.cursor, 'base64url').toString().split('|');
        if (!t || !id || rest.length || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(t) || Number.isNaN(Date.parse(t)) || !UUID_RE.test(id)) throw new ValidationError([{ path: 'cursor', code: 'invalid_format', message: 'is not a cursor this API gave' }]);
        before = { lodgedAt: new Date(t), id };
      }
      const rows = await repo.listDeclarations(db, {
        country,
        office: q.office,
        type: q.type,
        channel: q.channel,
        trader: q.trader,
        reference: q.reference,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        before,
      }, intake.assessments.latestOf);
      const last = rows[rows.length - 1];
      return {
        items: rows.map((r) => ({ ...r, lodgedAt: iso(r.lodgedAt), channel: r.channel === null ? null : ch(r.channel), reasons: r.reasons as Reasons | null })),
        nextCursor: rows.length === q.limit && last ? Buffer.from(`${last.lodgedAt.toISOString()}|${last.id}`).toString('base64url') : null,
      };
    },
  );

  app.get(
    '/api/v1/declarations/:id',
    { preHandler: authorize('declarations.read'), schema: { tags: ['declarations'], summary: 'A declaration as last amended, with its current assessment', params: idParams, response: { 200: R.declarationView, ...problems } } },
    async (req) => {
      const d = await repo.getDeclaration(db, req.params.id);
      requireVisible(principalOf(req), 'declarations.read', d, `declaration ${req.params.id}`);
      const [a] = await intake.assessments.latest(db, [d.id]);
      return {
        id: d.id,
        country: d.country,
        reference: d.reference,
        version: d.version,
        receivedAt: iso(d.receivedAt),
        updatedAt: iso(d.updatedAt),
        declaration: d.payload as z.output<typeof R.declarationPayloadView>,
        assessment: a ? { id: a.id, channel: ch(a.channel), decidedChannel: ch(a.decidedChannel), overridden: a.overridden, riskLevel: a.riskLevel, score: a.score, reasons: a.reasons as Reasons, engine: a.engine, inputs: a.inputs as Record<string, unknown>, decidedAt: iso(a.decidedAt), declarationVersion: a.declarationVersion } : null,
      };
    },
  );

  app.get(
    '/api/v1/declarations/:id/history',
    { preHandler: authorize('declarations.read'), schema: { tags: ['declarations'], summary: 'Every version of a declaration and every assessment made', params: idParams, response: { 200: R.declarationHistoryView, ...problems } } },
    async (req) => {
      const d = await repo.getDeclaration(db, req.params.id);
      requireVisible(principalOf(req), 'declarations.read', d, `declaration ${req.params.id}`);
      const h = { versions: await repo.declarationVersions(db, d.id), assessments: await intake.assessments.history(db, d.id) };
      return {
        id: d.id,
        reference: d.reference,
        versions: h.versions.map((v) => ({ version: v.version, contentHash: v.contentHash, receivedAt: iso(v.receivedAt), source: v.source, declaration: v.payload as z.output<typeof R.declarationPayloadView> })),
        assessments: h.assessments.map((a) => ({ id: a.id, declarationVersion: a.declarationVersion, channel: ch(a.channel), riskLevel: a.riskLevel, score: a.score, reasons: a.reasons as Reasons, engine: a.engine, inputs: a.inputs as Record<string, unknown>, decidedAt: iso(a.decidedAt) })),
      };
    },
  );

  // ------------------------------------------------------------ manifests
  app.post(
    '/api/v1/manifests',
    {
      preHandler: authorize('declarations.submit'),
      schema: { tags: ['manifests'], summary: 'Submit a manifest (advance cargo information) for one arrival', body: z.unknown().describe('A manifest, as in the ManifestInput contract'), response: { 200: R.manifestOutcomeView, 201: R.manifestOutcomeView, ...problems } },
    },
    async (req, reply) => {
      const out = await intake.submitManifest(req.body, req.principal!, 'api');
      const { index: _i, ...rest } = out;
      return reply.code(out.status === 'created' ? 201 : 200).send(rest);
    },
  );

  app.post(
    '/api/v1/manifests/import',
    { preHandler: authorize('declarations.submit'), schema: { tags: ['manifests'], summary: 'Bulk import of manifests as JSON Lines or CSV', response: { 200: R.importReportView, ...problems } } },
    async (req) => {
      const format = importFormat(req.headers['content-type']);
      if (typeof req.body !== 'string') throw new ValidationError([{ path: 'body', code: 'required', message: 'send the file content as the request body' }]);
      return runImport({ db, clock: deps.clock, intake }, { kind: 'manifests', format, source: { text: req.body, name: 'api' }, actor: req.principal!, onInternalError: (incident, detail) => req.log.error({ incident, detail }, 'import: a record the database refused') });
    },
  );

  app.get(
    '/api/v1/manifests',
    {
      preHandler: authorize('declarations.read'),
      schema: {
        tags: ['manifests'],
        summary: 'List manifests, latest arrival first',
        querystring: z.object({
          country: z.string().regex(/^[A-Z]{2}$/).optional(),
          office: z.string().optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
        }),
        response: { 200: R.manifestList, ...problems },
      },
    },
    async (req) => {
      const q = req.query;
      const country = administrationFor(principalOf(req), 'declarations.read', q.country);
      const rows = await repo.listManifests(db, { country, office: q.office, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, limit: q.limit });
      return { items: rows.map((r) => ({ ...r, arrivalAt: iso(r.arrivalAt) })) };
    },
  );

  app.get(
    '/api/v1/manifests/:id',
    { preHandler: authorize('declarations.read'), schema: { tags: ['manifests'], summary: 'A manifest as last amended, with its version history', params: idParams, response: { 200: R.manifestView, ...problems } } },
    async (req) => {
      const m = await repo.getManifest(db, req.params.id);
      requireVisible(principalOf(req), 'declarations.read', m, `manifest ${req.params.id}`);
      const versions = await repo.manifestHistory(db, m.id);
      return {
        id: m.id,
        country: m.country,
        reference: m.reference,
        version: m.version,
        manifest: m.payload as z.output<typeof R.manifestPayloadView>,
        versions: versions.map((v) => ({ version: v.version, contentHash: v.contentHash, receivedAt: iso(v.receivedAt), source: v.source })),
      };
    },
  );
}
