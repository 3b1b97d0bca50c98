/**
 * The authorization matrix, generated from the route table: every route under /api/ × every role
 * (people signed in, a system API key, and a legacy API key holding the admin role) × its own
 * administration (GT) and another one (SV). What each cell must answer comes from the policy
 * (src/modules/access/policy.ts), never from a list kept here:
 * - a role the policy does not allow the route's action: 403;
 * - allowed, own administration: anything but 401/403 (and never a 5xx);
 * - allowed, another administration: the same where the policy reaches it, else 404 for a
 *   record fetched by id (its existence is not revealed) and 403 for an administration asked for;
 * - every list answered is checked item by item: no record of an administration out of reach.
 * A route added without `authorize(action)`, or without a row in ROUTES below saying how to call
 * it for its own and another administration, fails the test.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { sha256Hex } from '../src/core/hash.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestPglite } from '../src/db/testing.ts';
import { routeGuards, unguardedRoutes, type RouteGuard } from '../src/modules/access/auth.ts';
import { allows, mayActOn, REFUSAL_CODES, REGIONAL_ROLES, type Action, type RefusalCode } from '../src/modules/access/policy.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL, USER_ROLES, type Principal } from '../src/modules/access/types.ts';
import { TransitService } from '../src/modules/transit/service.ts';
import { PcaService } from '../src/modules/pca/service.ts';
import { FEATURES, type RawRow } from '../src/modules/intelligence/features.ts';
import { trainRiskModel } from '../src/modules/intelligence/lifecycle.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp, type BuiltApp } from '../src/server/app.ts';
import { mutate, NOW, validDeclaration, validManifest } from './fixtures.ts';
import { transitDeclaration } from './transit-fixtures.ts';

const OWN = 'GT' as const;
const OTHER = 'SV' as const;
const PASSWORD = 'matrix-password-123';

/** Who calls: a person of GT for each role, GT's system key, and a legacy GT key holding `admin`. */
interface Subject {
  label: string;
  principal: Principal;
  headers: Record<string, string>;
}

/** Records of both administrations the requests point at. */
interface Seed {
  user: Record<string, string>;
  regionalUser: Record<string, string>;
  key: Record<string, string>;
  declaration: Record<string, string>;
  manifest: Record<string, string>;
  criterion: Record<string, string>;
  control: Record<string, string>;
  assessment: Record<string, string>;
  duty: Record<string, string>;
  officer: Record<string, string>;
  model: Record<string, string>;
  movement: Record<string, string>;
  /** post-clearance audit records per administration: plan, item, case, sensitive, conflict, request */
  pca: Record<string, Record<string, string>>;
  exchangeMessage: Record<string, string>;
  deadLetter: Record<string, string>;
  exchangeKey: Record<string, string>;
  /** regional cooperation records each administration received from a partner: rif, proposal, intel */
  coop: Record<string, Record<string, string>>;
}

interface Req {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

interface RouteSpec {
  /** the request for the caller's own administration */
  own: (s: Seed, who: Subject) => Req;
  /** the same request aimed at another administration (absent: the route has no administration to choose) */
  other?: (s: Seed, who: Subject) => Req;
  /** what refusing another administration answers: 404 for records by id (default), 403 for an administration asked for */
  otherRefusal?: number[];
  /** the action deciding the other-administration cell when it differs from the route's */
  otherAction?: Action;
  /** a 200 that is still a refusal (an import reporting the record rejected) */
  refusedBody?: (body: any) => boolean;
}

const NDJSON = { 'content-type': 'application/x-ndjson' };
const svDeclaration = (ref: string) =>
  mutate(validDeclaration(ref), (d) => {
    d.country = 'SV';
    d.office = 'SVAQJ';
    d.manifestReference = undefined;
  });
const svManifest = (ref: string) =>
  mutate(validManifest(ref), (m) => {
    m.country = 'SV';
    m.office = 'SVAQJ';
  });
const coopRif = () => ({ title: 'Matrix alert to SV', riskType: 'revenue', subject: { traderTins: ['4455667-8'] }, indicators: { text: 'matrix indicators' }, recommendedAction: 'watch', validTo: '2026-12-31T00:00:00Z', recipients: ['SV'] });
const coopProposal = () => ({ name: 'Matrix common criterion', rationale: 'matrix rationale', expression: 'decl.type == "IM"', weight: 10, recipients: ['SV', 'HN'] });
const regionalTarget = (who: Subject) => REGIONAL_ROLES.includes(who.principal.role);
let seq = 0;
const next = () => ++seq;

/** How to call every route. A new route needs a row here (the test says which are missing). */
const ROUTES: Record<string, RouteSpec> = {
  // ---- regional cooperation
  'GET /api/v1/cooperation/rifs': { own: () => ({ url: '/api/v1/cooperation/rifs?box=inbox' }), other: () => ({ url: '/api/v1/cooperation/rifs?box=inbox&country=SV' }), otherRefusal: [403] },
  'POST /api/v1/cooperation/rifs': {
    own: () => ({ url: '/api/v1/cooperation/rifs', payload: coopRif() }),
    other: () => ({ url: '/api/v1/cooperation/rifs', payload: { ...coopRif(), country: 'SV', recipients: ['GT'] } }),
    otherRefusal: [403],
  },
  'GET /api/v1/cooperation/rifs/:id': { own: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OWN].rif}` }), other: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OTHER].rif}?country=SV` }) },
  'POST /api/v1/cooperation/rifs/:id/accept': { own: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OWN].rif}/accept`, payload: {} }), other: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OTHER].rif}/accept?country=SV`, payload: {} }) },
  'POST /api/v1/cooperation/rifs/:id/decline': { own: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OWN].rif}/decline`, payload: { reason: 'matrix decline' } }), other: (s) => ({ url: `/api/v1/cooperation/rifs/${s.coop[OTHER].rif}/decline?country=SV`, payload: { reason: 'matrix decline' } }) },
  'GET /api/v1/cooperation/criteria': { own: () => ({ url: '/api/v1/cooperation/criteria?box=inbox' }), other: () => ({ url: '/api/v1/cooperation/criteria?box=outbox&country=SV' }), otherRefusal: [403] },
  'POST /api/v1/cooperation/criteria': {
    own: () => ({ url: '/api/v1/cooperation/criteria', payload: coopProposal() }),
    other: () => ({ url: '/api/v1/cooperation/criteria', payload: { ...coopProposal(), country: 'SV' } }),
    otherRefusal: [403],
  },
  'GET /api/v1/cooperation/criteria/:id': { own: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OWN].proposal}` }), other: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OTHER].proposal}?country=SV` }) },
  'POST /api/v1/cooperation/criteria/:id/adopt': { own: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OWN].proposal}/adopt`, payload: {} }), other: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OTHER].proposal}/adopt?country=SV`, payload: {} }) },
  'POST /api/v1/cooperation/criteria/:id/decline': { own: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OWN].proposal}/decline`, payload: { reason: 'matrix decline' } }), other: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OTHER].proposal}/decline?country=SV`, payload: { reason: 'matrix decline' } }) },
  'POST /api/v1/cooperation/criteria/:id/hits': { own: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OWN].proposal}/hits`, payload: {} }), other: (s) => ({ url: `/api/v1/cooperation/criteria/${s.coop[OTHER].proposal}/hits?country=SV`, payload: {} }) },
  'GET /api/v1/cooperation/intel': { own: () => ({ url: '/api/v1/cooperation/intel?box=inbox' }), other: () => ({ url: '/api/v1/cooperation/intel?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/cooperation/intel': { own: (s) => ({ url: '/api/v1/cooperation/intel', payload: { controlId: s.control[OWN], kind: 'seizure', recipients: ['SV'] } }), other: (s) => ({ url: '/api/v1/cooperation/intel', payload: { controlId: s.control[OTHER], kind: 'seizure', recipients: ['GT'] } }) },
  'GET /api/v1/cooperation/intel/:id': { own: (s) => ({ url: `/api/v1/cooperation/intel/${s.coop[OWN].intel}` }), other: (s) => ({ url: `/api/v1/cooperation/intel/${s.coop[OTHER].intel}?country=SV` }) },
  'POST /api/v1/cooperation/intel/:id/watch': { own: (s) => ({ url: `/api/v1/cooperation/intel/${s.coop[OWN].intel}/watch`, payload: { validTo: '2026-12-31T00:00:00Z' } }), other: (s) => ({ url: `/api/v1/cooperation/intel/${s.coop[OTHER].intel}/watch?country=SV`, payload: { validTo: '2026-12-31T00:00:00Z' } }) },

  // ---- access
  'POST /api/v1/auth/logout': { own: () => ({ url: '/api/v1/auth/logout' }) },
  'GET /api/v1/auth/me': { own: () => ({ url: '/api/v1/auth/me' }) },
  'DELETE /api/v1/auth/locks/:username': { own: () => ({ url: '/api/v1/auth/locks/gt.target' }), other: () => ({ url: '/api/v1/auth/locks/sv.target' }) },
  'GET /api/v1/users': { own: () => ({ url: '/api/v1/users' }) },
  'POST /api/v1/users': {
    own: (_s, who) => ({ url: '/api/v1/users', payload: { username: `m.user${next()}`, displayName: 'M', role: regionalTarget(who) ? 'regional_analyst' : 'officer', country: OWN, password: PASSWORD } }),
    other: (_s, who) => ({ url: '/api/v1/users', payload: { username: `m.user${next()}`, displayName: 'M', role: regionalTarget(who) ? 'regional_analyst' : 'officer', country: OTHER, password: PASSWORD } }),
    otherRefusal: [403],
  },
  'PATCH /api/v1/users/:id': {
    own: (s, who) => ({ url: `/api/v1/users/${(regionalTarget(who) ? s.regionalUser : s.user)[OWN]}`, payload: { displayName: `Renamed ${next()}` } }),
    other: (s, who) => ({ url: `/api/v1/users/${(regionalTarget(who) ? s.regionalUser : s.user)[OTHER]}`, payload: { displayName: `Renamed ${next()}` } }),
  },
  'POST /api/v1/users/:id/password': {
    // one's own, with a wrong current password (400): the route is reached, nothing changes
    own: (_s, who) => ({ url: `/api/v1/users/${who.principal.id}/password`, payload: { password: 'another horse battery 9', currentPassword: 'wrong wrong wrong' } }),
    other: (s, who) => ({ url: `/api/v1/users/${(regionalTarget(who) ? s.regionalUser : s.user)[OTHER]}/password`, payload: { password: `another horse battery ${next()}` } }),
    otherAction: 'users.manage',
    otherRefusal: [403, 404],
  },
  'GET /api/v1/api-keys': { own: () => ({ url: '/api/v1/api-keys?includeRevoked=true' }) },
  'POST /api/v1/api-keys': {
    own: (_s, who) => ({ url: '/api/v1/api-keys', payload: { name: `k${next()}`, role: regionalTarget(who) ? 'regional_analyst' : 'system', country: OWN } }),
    other: (_s, who) => ({ url: '/api/v1/api-keys', payload: { name: `k${next()}`, role: regionalTarget(who) ? 'regional_analyst' : 'system', country: OTHER } }),
    otherRefusal: [403],
  },
  'DELETE /api/v1/api-keys/:id': { own: (s) => ({ url: `/api/v1/api-keys/${s.key[OWN]}` }), other: (s) => ({ url: `/api/v1/api-keys/${s.key[OTHER]}` }) },
  'GET /api/v1/audit': { own: () => ({ url: '/api/v1/audit?limit=500' }) },
  'GET /api/v1/audit/verify': { own: () => ({ url: '/api/v1/audit/verify' }) },
  'GET /api/v1/reference/offices': { own: () => ({ url: '/api/v1/reference/offices?country=GT' }) },
  'GET /api/v1/reference/hs/:code': { own: () => ({ url: '/api/v1/reference/hs/8517' }) },
  'GET /api/v1/reference/countries/:code': { own: () => ({ url: '/api/v1/reference/countries/GT' }) },

  // ---- declarations and manifests
  'POST /api/v1/declarations': {
    own: () => ({ url: '/api/v1/declarations', payload: validDeclaration(`GT-MX-${next()}`) }),
    other: () => ({ url: '/api/v1/declarations', payload: svDeclaration(`SV-MX-${next()}`) }),
    otherRefusal: [400, 403],
  },
  'POST /api/v1/declarations/import': {
    own: () => ({ url: '/api/v1/declarations/import', headers: NDJSON, payload: JSON.stringify(validDeclaration(`GT-MI-${next()}`)) }),
    other: () => ({ url: '/api/v1/declarations/import', headers: NDJSON, payload: JSON.stringify(svDeclaration(`SV-MI-${next()}`)) }),
    otherRefusal: [400, 403],
    refusedBody: (b) => b.rejected === 1 && b.created === 0,
  },
  'GET /api/v1/declarations': { own: () => ({ url: '/api/v1/declarations?limit=1000' }), other: () => ({ url: '/api/v1/declarations?limit=1000&country=SV' }), otherRefusal: [403] },
  'GET /api/v1/declarations/:id': { own: (s) => ({ url: `/api/v1/declarations/${s.declaration[OWN]}` }), other: (s) => ({ url: `/api/v1/declarations/${s.declaration[OTHER]}` }) },
  'GET /api/v1/declarations/:id/history': { own: (s) => ({ url: `/api/v1/declarations/${s.declaration[OWN]}/history` }), other: (s) => ({ url: `/api/v1/declarations/${s.declaration[OTHER]}/history` }) },
  'POST /api/v1/manifests': {
    own: () => ({ url: '/api/v1/manifests', payload: validManifest(`GT-MM-${next()}`) }),
    other: () => ({ url: '/api/v1/manifests', payload: svManifest(`SV-MM-${next()}`) }),
    otherRefusal: [400, 403],
  },
  'POST /api/v1/manifests/import': {
    own: () => ({ url: '/api/v1/manifests/import', headers: NDJSON, payload: JSON.stringify(validManifest(`GT-MMI-${next()}`)) }),
    other: () => ({ url: '/api/v1/manifests/import', headers: NDJSON, payload: JSON.stringify(svManifest(`SV-MMI-${next()}`)) }),
    otherRefusal: [400, 403],
    refusedBody: (b) => b.rejected === 1 && b.created === 0,
  },
  'GET /api/v1/manifests': { own: () => ({ url: '/api/v1/manifests?limit=1000' }), other: () => ({ url: '/api/v1/manifests?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/manifests/:id': { own: (s) => ({ url: `/api/v1/manifests/${s.manifest[OWN]}` }), other: (s) => ({ url: `/api/v1/manifests/${s.manifest[OTHER]}` }) },

  // ---- risk
  'GET /api/v1/risk/criteria': { own: () => ({ url: '/api/v1/risk/criteria' }), other: () => ({ url: '/api/v1/risk/criteria?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/risk/criteria/:id': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}` }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}` }) },
  'POST /api/v1/risk/criteria': {
    own: () => ({ url: '/api/v1/risk/criteria', payload: { name: `Matrix ${next()}`, reason: 'matrix test criterion', expression: 'decl.type == "IM"', weight: 1 } }),
    other: () => ({ url: '/api/v1/risk/criteria', payload: { country: OTHER, name: `Matrix ${next()}`, reason: 'matrix test criterion', expression: 'decl.type == "IM"', weight: 1 } }),
    otherRefusal: [403],
  },
  'PATCH /api/v1/risk/criteria/:id': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}`, payload: { weight: 2 } }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}`, payload: { weight: 2 } }) },
  'POST /api/v1/risk/criteria/:id/submit': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}/submit` }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}/submit` }) },
  'POST /api/v1/risk/criteria/:id/approve': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}/approve`, payload: {} }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}/approve`, payload: {} }) },
  'POST /api/v1/risk/criteria/:id/reject': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}/reject`, payload: { note: 'not yet, matrix' } }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}/reject`, payload: { note: 'not yet, matrix' } }) },
  'POST /api/v1/risk/criteria/:id/suspend': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}/suspend`, payload: { reason: 'matrix suspension' } }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}/suspend`, payload: { reason: 'matrix suspension' } }) },
  'POST /api/v1/risk/criteria/:id/resume': { own: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OWN]}/resume`, payload: { reason: 'matrix resumption' } }), other: (s) => ({ url: `/api/v1/risk/criteria/${s.criterion[OTHER]}/resume`, payload: { reason: 'matrix resumption' } }) },
  'POST /api/v1/risk/check': { own: () => ({ url: '/api/v1/risk/check', payload: { expression: 'decl.type == "IM"' } }) },
  'POST /api/v1/risk/backtest': { own: () => ({ url: '/api/v1/risk/backtest', payload: { expression: 'decl.type == "IM"' } }), other: () => ({ url: '/api/v1/risk/backtest', payload: { country: OTHER, expression: 'decl.type == "IM"' } }), otherRefusal: [403] },
  'POST /api/v1/risk/backtests': { own: () => ({ url: '/api/v1/risk/backtests', payload: { expression: 'decl.type == "IM"' } }), other: () => ({ url: '/api/v1/risk/backtests', payload: { country: OTHER, expression: 'decl.type == "IM"' } }), otherRefusal: [403] },
  // a job nobody started: 404 to whoever may ask
  'GET /api/v1/risk/backtests/:id': { own: () => ({ url: `/api/v1/risk/backtests/${uuidv7(Date.parse(NOW))}` }) },
  'DELETE /api/v1/risk/backtests/:id': { own: () => ({ url: `/api/v1/risk/backtests/${uuidv7(Date.parse(NOW))}` }) },
  'GET /api/v1/risk/controls': { own: () => ({ url: '/api/v1/risk/controls' }) },
  'GET /api/v1/risk/controls/:id': { own: (s) => ({ url: `/api/v1/risk/controls/${s.control[OWN]}` }), other: (s) => ({ url: `/api/v1/risk/controls/${s.control[OTHER]}` }) },
  'POST /api/v1/risk/controls/:id/result': { own: (s) => ({ url: `/api/v1/risk/controls/${s.control[OWN]}/result`, payload: { outcome: 'no_discrepancy' } }), other: (s) => ({ url: `/api/v1/risk/controls/${s.control[OTHER]}/result`, payload: { outcome: 'no_discrepancy' } }) },
  'POST /api/v1/risk/controls/:id/reassign': { own: (s) => ({ url: `/api/v1/risk/controls/${s.control[OWN]}/reassign`, payload: { reason: 'matrix reassignment' } }), other: (s) => ({ url: `/api/v1/risk/controls/${s.control[OTHER]}/reassign`, payload: { reason: 'matrix reassignment' } }) },
  'POST /api/v1/risk/assessments/:id/override': {
    own: (s) => ({ url: `/api/v1/risk/assessments/${s.assessment[OWN]}/override`, payload: { channel: 'red', reasonCode: 'intelligence', reason: 'matrix override reason' } }),
    other: (s) => ({ url: `/api/v1/risk/assessments/${s.assessment[OTHER]}/override`, payload: { channel: 'red', reasonCode: 'intelligence', reason: 'matrix override reason' } }),
  },
  'GET /api/v1/risk/assessments/:id/replay': { own: (s) => ({ url: `/api/v1/risk/assessments/${s.assessment[OWN]}/replay` }), other: (s) => ({ url: `/api/v1/risk/assessments/${s.assessment[OTHER]}/replay` }) },
  'GET /api/v1/risk/roster': { own: () => ({ url: '/api/v1/risk/roster' }) },
  'POST /api/v1/risk/roster': {
    own: (s) => ({ url: '/api/v1/risk/roster', payload: { officerId: s.officer[OWN], office: 'GTPRQ', from: '2026-06-15T00:00:00Z', to: '2026-06-15T06:00:00Z' } }),
    other: (s) => ({ url: '/api/v1/risk/roster', payload: { officerId: s.officer[OTHER], office: 'SVAQJ', from: '2026-06-15T00:00:00Z', to: '2026-06-15T06:00:00Z' } }),
  },
  'DELETE /api/v1/risk/roster/:id': { own: (s) => ({ url: `/api/v1/risk/roster/${s.duty[OWN]}` }), other: (s) => ({ url: `/api/v1/risk/roster/${s.duty[OTHER]}` }) },
  'GET /api/v1/risk/effectiveness': { own: () => ({ url: '/api/v1/risk/effectiveness' }), other: () => ({ url: '/api/v1/risk/effectiveness?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/risk/marks': { own: () => ({ url: '/api/v1/risk/marks' }), other: () => ({ url: '/api/v1/risk/marks?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/risk/config': { own: () => ({ url: '/api/v1/risk/config' }), other: () => ({ url: '/api/v1/risk/config?country=SV' }), otherRefusal: [403] },
  'PUT /api/v1/risk/config': { own: () => ({ url: '/api/v1/risk/config', payload: { reason: 'matrix: no change of substance' } }) },
  'GET /api/v1/risk/config/versions': { own: () => ({ url: '/api/v1/risk/config/versions' }), other: () => ({ url: '/api/v1/risk/config/versions?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/risk/config/revert': { own: () => ({ url: '/api/v1/risk/config/revert', payload: { version: 1, reason: 'matrix: revert to the first' } }) },
  'GET /api/v1/risk/declarations/:id': { own: (s) => ({ url: `/api/v1/risk/declarations/${s.declaration[OWN]}` }), other: (s) => ({ url: `/api/v1/risk/declarations/${s.declaration[OTHER]}` }) },
  'GET /api/v1/risk/traders/:tin': { own: () => ({ url: '/api/v1/risk/traders/4455667-8' }), other: () => ({ url: '/api/v1/risk/traders/4455667-8?country=SV' }), otherRefusal: [403] },

  // ---- models
  'GET /api/v1/models': { own: () => ({ url: '/api/v1/models' }), other: () => ({ url: '/api/v1/models?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/models/train': { own: () => ({ url: '/api/v1/models/train', payload: {} }), other: () => ({ url: '/api/v1/models/train', payload: { country: OTHER } }), otherRefusal: [403] },
  'GET /api/v1/models/drift': { own: () => ({ url: '/api/v1/models/drift' }), other: () => ({ url: '/api/v1/models/drift?country=SV' }), otherRefusal: [403] },
  'PUT /api/v1/models/exploration': { own: () => ({ url: '/api/v1/models/exploration', payload: { rate: 0.01, mode: 'random' } }), other: () => ({ url: '/api/v1/models/exploration', payload: { country: OTHER, rate: 0.01, mode: 'random' } }), otherRefusal: [403] },
  'POST /api/v1/models/valuation/refresh': { own: () => ({ url: '/api/v1/models/valuation/refresh', payload: {} }), other: () => ({ url: '/api/v1/models/valuation/refresh', payload: { country: OTHER } }), otherRefusal: [403] },
  'GET /api/v1/models/valuation/:hs6': { own: () => ({ url: '/api/v1/models/valuation/851713' }), other: () => ({ url: '/api/v1/models/valuation/851713?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/models/:id': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}` }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}` }) },
  'POST /api/v1/models/:id/evaluate': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}/evaluate`, payload: {} }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}/evaluate`, payload: {} }) },
  'POST /api/v1/models/:id/propose': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}/propose`, payload: { role: 'challenger' } }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}/propose`, payload: { role: 'challenger' } }) },
  'POST /api/v1/models/:id/approve': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}/approve`, payload: {} }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}/approve`, payload: {} }) },
  'POST /api/v1/models/:id/reject': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}/reject`, payload: { note: 'matrix rejection' } }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}/reject`, payload: { note: 'matrix rejection' } }) },
  'POST /api/v1/models/:id/retire': { own: (s) => ({ url: `/api/v1/models/${s.model[OWN]}/retire`, payload: { reason: 'matrix retirement' } }), other: (s) => ({ url: `/api/v1/models/${s.model[OTHER]}/retire`, payload: { reason: 'matrix retirement' } }) },

  // ---- transit
  'POST /api/v1/transit/movements': {
    own: () => ({ url: '/api/v1/transit/movements', payload: transitDeclaration(`TRGT-MX-${next()}`) }),
    other: () => ({ url: '/api/v1/transit/movements', payload: svTransit(`TRSV-MX-${next()}`) }),
    otherRefusal: [403],
  },
  'GET /api/v1/transit/movements': { own: () => ({ url: '/api/v1/transit/movements?limit=1000' }), other: () => ({ url: '/api/v1/transit/movements?limit=1000&country=SV' }), otherRefusal: [403] },
  'GET /api/v1/transit/movements/:id': { own: (s) => ({ url: `/api/v1/transit/movements/${s.movement[OWN]}` }), other: (s) => ({ url: `/api/v1/transit/movements/${s.movement[OTHER]}` }) },
  'POST /api/v1/transit/events': {
    own: () => ({ url: '/api/v1/transit/events', payload: { eventId: `mx-${next()}`, type: 'weighing', at: '2026-06-15T07:40:00Z', movement: { country: 'GT', reference: 'TRGT-SEED' }, office: 'GTPRQ', grossMassKg: 18050 } }),
    other: () => ({ url: '/api/v1/transit/events', payload: { eventId: `mx-${next()}`, type: 'weighing', at: '2026-06-15T07:40:00Z', movement: { country: 'SV', reference: 'TRSV-SEED' }, office: 'SVAQJ', grossMassKg: 18050 } }),
    otherRefusal: [403, 404],
  },
  'POST /api/v1/transit/events/batch': {
    own: () => ({ url: '/api/v1/transit/events/batch', payload: { events: [{ eventId: `mxb-${next()}`, type: 'weighing', at: '2026-06-15T07:42:00Z', movement: { country: 'GT', reference: 'TRGT-SEED' }, office: 'GTPRQ', grossMassKg: 18050 }] } }),
    other: () => ({ url: '/api/v1/transit/events/batch', payload: { events: [{ eventId: `mxb-${next()}`, type: 'weighing', at: '2026-06-15T07:42:00Z', movement: { country: 'SV', reference: 'TRSV-SEED' }, office: 'SVAQJ', grossMassKg: 18050 }] } }),
    otherRefusal: [403],
    refusedBody: (b) => b.recorded === 0 && b.rejected.length === 1,
  },
  'POST /api/v1/transit/events/import': {
    own: () => ({ url: '/api/v1/transit/events/import', headers: NDJSON, payload: JSON.stringify({ eventId: `mxi-${next()}`, type: 'weighing', at: '2026-06-15T07:41:00Z', movement: { country: 'GT', reference: 'TRGT-SEED' }, office: 'GTPRQ', grossMassKg: 18050 }) }),
    other: () => ({ url: '/api/v1/transit/events/import', headers: NDJSON, payload: JSON.stringify({ eventId: `mxi-${next()}`, type: 'weighing', at: '2026-06-15T07:41:00Z', movement: { country: 'SV', reference: 'TRSV-SEED' }, office: 'SVAQJ', grossMassKg: 18050 }) }),
    otherRefusal: [403],
    refusedBody: (b) => b.recorded === 0 && b.rejected.length === 1,
  },
  'GET /api/v1/transit/alerts': { own: () => ({ url: '/api/v1/transit/alerts?limit=5000' }), other: () => ({ url: '/api/v1/transit/alerts?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/transit/sweep': { own: () => ({ url: '/api/v1/transit/sweep' }) },
  'GET /api/v1/transit/verify': { own: () => ({ url: '/api/v1/transit/verify' }) },
  'GET /api/v1/transit/arrivals/:country/:manifest/reconciliation': {
    own: () => ({ url: '/api/v1/transit/arrivals/GT/GT-MAN-SEED/reconciliation' }),
    other: () => ({ url: '/api/v1/transit/arrivals/SV/SV-MAN-SEED/reconciliation' }),
    otherRefusal: [403],
  },
  'GET /api/v1/transit/thresholds/:country': { own: () => ({ url: '/api/v1/transit/thresholds/GT' }), other: () => ({ url: '/api/v1/transit/thresholds/SV' }), otherRefusal: [403] },
  'PUT /api/v1/transit/thresholds/:country': { own: () => ({ url: '/api/v1/transit/thresholds/GT', payload: {} }), other: () => ({ url: '/api/v1/transit/thresholds/SV', payload: {} }), otherRefusal: [403] },

  // ---- indicators
  'GET /api/v1/kpi/overview': { own: () => ({ url: '/api/v1/kpi/overview' }), other: () => ({ url: '/api/v1/kpi/overview?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/kpi/alerts': { own: () => ({ url: '/api/v1/kpi/alerts' }), other: () => ({ url: '/api/v1/kpi/alerts?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/kpi/traders/:tin': { own: () => ({ url: '/api/v1/kpi/traders/4455667-8' }), other: () => ({ url: '/api/v1/kpi/traders/4455667-8?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/kpi/controls': { own: () => ({ url: '/api/v1/kpi/controls' }), other: () => ({ url: '/api/v1/kpi/controls?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/kpi/targets': { own: () => ({ url: '/api/v1/kpi/targets' }), other: () => ({ url: '/api/v1/kpi/targets?country=SV' }), otherRefusal: [403] },
  'PUT /api/v1/kpi/targets/:country': { own: () => ({ url: '/api/v1/kpi/targets/GT', payload: { red: 0.1, yellow: 0.1 } }), other: () => ({ url: '/api/v1/kpi/targets/SV', payload: { red: 0.1, yellow: 0.1 } }), otherRefusal: [403] },

  // ---- traders
  'GET /api/v1/traders/:tin': { own: () => ({ url: '/api/v1/traders/4455667-8' }), other: () => ({ url: '/api/v1/traders/4455667-8?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/traders/:tin/aeo': { own: () => ({ url: '/api/v1/traders/4455667-8/aeo' }), other: () => ({ url: '/api/v1/traders/4455667-8/aeo?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/traders/aeo/register': { own: () => ({ url: '/api/v1/traders/aeo/register' }), other: () => ({ url: '/api/v1/traders/aeo/register?country=SV' }), otherRefusal: [403] },
  'PUT /api/v1/traders/:tin/aeo/:country': {
    own: () => ({ url: '/api/v1/traders/4455667-8/aeo/GT', payload: { programme: 'OEA-GT', status: 'certified', since: '2026-06-01T00:00:00Z', reason: 'matrix certification' } }),
    other: () => ({ url: '/api/v1/traders/4455667-8/aeo/SV', payload: { programme: 'OEA-SV', status: 'certified', since: '2026-06-01T00:00:00Z', reason: 'matrix certification' } }),
    otherRefusal: [403],
  },

  // ---- regional exchange (the node serves all seven administrations)
  'GET /api/v1/exchange/status': { own: () => ({ url: '/api/v1/exchange/status' }) },
  'GET /api/v1/exchange/messages/sent': { own: () => ({ url: '/api/v1/exchange/messages/sent' }), other: () => ({ url: '/api/v1/exchange/messages/sent?administration=SV' }), otherRefusal: [403] },
  'GET /api/v1/exchange/messages/sent/:id': { own: (s) => ({ url: `/api/v1/exchange/messages/sent/${s.exchangeMessage[OWN]}` }), other: (s) => ({ url: `/api/v1/exchange/messages/sent/${s.exchangeMessage[OTHER]}` }) },
  'GET /api/v1/exchange/messages/received': { own: () => ({ url: '/api/v1/exchange/messages/received' }), other: () => ({ url: '/api/v1/exchange/messages/received?administration=SV' }), otherRefusal: [403] },
  'GET /api/v1/exchange/dead-letters': { own: () => ({ url: '/api/v1/exchange/dead-letters' }), other: () => ({ url: '/api/v1/exchange/dead-letters?administration=SV' }), otherRefusal: [403] },
  'GET /api/v1/exchange/dead-letters/:id': { own: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OWN]}` }), other: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OTHER]}` }) },
  'POST /api/v1/exchange/dead-letters/:id/reexamine': { own: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OWN]}/reexamine` }), other: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OTHER]}/reexamine` }) },
  'POST /api/v1/exchange/dead-letters/:id/discard': { own: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OWN]}/discard`, payload: { reason: 'matrix' } }), other: (s) => ({ url: `/api/v1/exchange/dead-letters/${s.deadLetter[OTHER]}/discard`, payload: { reason: 'matrix' } }) },
  'GET /api/v1/exchange/keys': { own: () => ({ url: '/api/v1/exchange/keys' }) },
  'GET /api/v1/exchange/keys/export': { own: () => ({ url: '/api/v1/exchange/keys/export' }), other: () => ({ url: '/api/v1/exchange/keys/export?administration=SV' }), otherRefusal: [403] },
  // every member is served here: importing any of them is refused (400) after the policy let the caller through
  'POST /api/v1/exchange/keys/import': { own: (s) => ({ url: '/api/v1/exchange/keys/import', payload: { format: 'centinela.exchange.keys/1', administration: 'SV', exportedAt: NOW, keys: [{ keyId: s.exchangeKey[OTHER], algorithm: 'Ed25519', publicKey: 'A'.repeat(43), createdAt: NOW, retiredAt: null, revokedAt: null }] } }) },
  'POST /api/v1/exchange/keys/:keyId/revoke': { own: (s) => ({ url: `/api/v1/exchange/keys/${s.exchangeKey[OWN]}/revoke`, payload: { reason: 'matrix' } }), other: (s) => ({ url: `/api/v1/exchange/keys/${s.exchangeKey[OTHER]}/revoke`, payload: { reason: 'matrix' } }) },
  'POST /api/v1/exchange/keys/rotate': { own: () => ({ url: '/api/v1/exchange/keys/rotate', payload: {} }), other: () => ({ url: '/api/v1/exchange/keys/rotate', payload: { administration: 'SV' } }), otherRefusal: [403] },
  'GET /api/v1/exchange/sharing-rules': { own: () => ({ url: '/api/v1/exchange/sharing-rules' }), other: () => ({ url: '/api/v1/exchange/sharing-rules?administration=SV' }), otherRefusal: [403] },
  'GET /api/v1/exchange/sharing-rules/history': { own: () => ({ url: '/api/v1/exchange/sharing-rules/history' }), other: () => ({ url: '/api/v1/exchange/sharing-rules/history?administration=SV' }), otherRefusal: [403] },
  'PUT /api/v1/exchange/sharing-rules': {
    own: () => ({ url: '/api/v1/exchange/sharing-rules', payload: { rules: [{ kind: '*', partners: ['*'], redact: [] }] } }),
    other: () => ({ url: '/api/v1/exchange/sharing-rules?administration=SV', payload: { rules: [{ kind: '*', partners: ['*'], redact: [] }] } }),
    otherRefusal: [403],
  },
  'GET /api/v1/exchange/partners': { own: () => ({ url: '/api/v1/exchange/partners' }), other: () => ({ url: '/api/v1/exchange/partners?administration=SV' }), otherRefusal: [403] },
  'PUT /api/v1/exchange/partners/:sender': { own: () => ({ url: '/api/v1/exchange/partners/SV', payload: { kinds: null } }), other: () => ({ url: '/api/v1/exchange/partners/GT?administration=SV', payload: { kinds: null } }), otherRefusal: [403] },

  // ---- post-clearance audit (pca)
  'GET /api/v1/pca/sensitive-goods': { own: () => ({ url: '/api/v1/pca/sensitive-goods' }), other: () => ({ url: '/api/v1/pca/sensitive-goods?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/pca/sensitive-goods': {
    own: () => ({ url: '/api/v1/pca/sensitive-goods', payload: { hs: String(240100 + next()).slice(0, 6), reason: 'excise', note: 'matrix entry', validFrom: '2026-01-01' } }),
    other: () => ({ url: '/api/v1/pca/sensitive-goods', payload: { country: OTHER, hs: String(240100 + next()).slice(0, 6), reason: 'excise', note: 'matrix entry', validFrom: '2026-01-01' } }),
    otherRefusal: [403],
  },
  'POST /api/v1/pca/sensitive-goods/:id/decision': { own: (s) => ({ url: `/api/v1/pca/sensitive-goods/${s.pca[OWN].sensitive}/decision`, payload: { approve: true } }), other: (s) => ({ url: `/api/v1/pca/sensitive-goods/${s.pca[OTHER].sensitive}/decision`, payload: { approve: true } }) },
  'POST /api/v1/pca/sensitive-goods/:id/withdraw': { own: (s) => ({ url: `/api/v1/pca/sensitive-goods/${s.pca[OWN].sensitive}/withdraw`, payload: { reason: 'matrix withdrawal' } }), other: (s) => ({ url: `/api/v1/pca/sensitive-goods/${s.pca[OTHER].sensitive}/withdraw`, payload: { reason: 'matrix withdrawal' } }) },
  'GET /api/v1/pca/auditors': { own: () => ({ url: '/api/v1/pca/auditors' }), other: () => ({ url: '/api/v1/pca/auditors?country=SV' }), otherRefusal: [403] },
  'PUT /api/v1/pca/auditors': { own: (s) => ({ url: '/api/v1/pca/auditors', payload: { userId: s.user[OWN], hoursPerMonth: 40 } }), other: (s) => ({ url: '/api/v1/pca/auditors', payload: { country: OTHER, userId: s.user[OTHER], hoursPerMonth: 40 } }), otherRefusal: [403] },
  'GET /api/v1/pca/conflicts': { own: () => ({ url: '/api/v1/pca/conflicts' }), other: () => ({ url: '/api/v1/pca/conflicts?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/pca/conflicts': {
    own: (s) => ({ url: '/api/v1/pca/conflicts', payload: { auditorUserId: s.user[OWN], traderTin: '1111111-1', reason: 'matrix conflict' } }),
    other: (s) => ({ url: '/api/v1/pca/conflicts', payload: { country: OTHER, auditorUserId: s.user[OTHER], traderTin: '1111111-1', reason: 'matrix conflict' } }),
    otherRefusal: [403],
  },
  'POST /api/v1/pca/conflicts/:id/end': { own: (s) => ({ url: `/api/v1/pca/conflicts/${s.pca[OWN].conflict}/end`, payload: { reason: 'matrix end' } }), other: (s) => ({ url: `/api/v1/pca/conflicts/${s.pca[OTHER].conflict}/end`, payload: { reason: 'matrix end' } }) },
  'GET /api/v1/pca/plans': { own: () => ({ url: '/api/v1/pca/plans' }), other: () => ({ url: '/api/v1/pca/plans?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/pca/plans': { own: () => ({ url: '/api/v1/pca/plans', payload: { month: '2026-08', capacityHours: 50 } }), other: () => ({ url: '/api/v1/pca/plans', payload: { country: OTHER, month: '2026-08', capacityHours: 50 } }), otherRefusal: [403] },
  'GET /api/v1/pca/plans/:id': { own: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OWN].plan}` }), other: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OTHER].plan}` }) },
  'POST /api/v1/pca/plans/:id/decision': { own: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OWN].plan}/decision`, payload: { approve: true } }), other: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OTHER].plan}/decision`, payload: { approve: true } }) },
  'GET /api/v1/pca/plans/:id/plan.pdf': { own: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OWN].plan}/plan.pdf` }), other: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OTHER].plan}/plan.pdf` }) },
  'GET /api/v1/pca/plans/:id/plan.csv': { own: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OWN].plan}/plan.csv` }), other: (s) => ({ url: `/api/v1/pca/plans/${s.pca[OTHER].plan}/plan.csv` }) },
  'GET /api/v1/pca/cases': { own: () => ({ url: '/api/v1/pca/cases' }), other: () => ({ url: '/api/v1/pca/cases?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/pca/cases': { own: (s) => ({ url: '/api/v1/pca/cases', payload: { planItemId: s.pca[OWN].item } }), other: (s) => ({ url: '/api/v1/pca/cases', payload: { planItemId: s.pca[OTHER].item } }) },
  'GET /api/v1/pca/cases/:id': { own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}` }), other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}` }) },
  'GET /api/v1/pca/cases/:id/report.pdf': { own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/report.pdf` }), other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/report.pdf` }) },
  'POST /api/v1/pca/cases/:id/document-requests': { own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/document-requests`, payload: { description: 'matrix invoices' } }), other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/document-requests`, payload: { description: 'matrix invoices' } }) },
  'POST /api/v1/pca/cases/:id/document-requests/:requestId/received': {
    own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/document-requests/${s.pca[OWN].request}/received`, payload: {} }),
    other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/document-requests/${s.pca[OTHER].request}/received`, payload: {} }),
  },
  'POST /api/v1/pca/cases/:id/findings': {
    own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/findings`, payload: { declarationId: s.declaration[OWN], line: 1, kind: 'value', description: 'matrix finding', extraDuties: 1, extraTaxes: 1, currency: 'USD', legalBasis: 'CAUCA art. 62' } }),
    other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/findings`, payload: { declarationId: s.declaration[OTHER], line: 1, kind: 'value', description: 'matrix finding', extraDuties: 1, extraTaxes: 1, currency: 'USD', legalBasis: 'CAUCA art. 62' } }),
  },
  'POST /api/v1/pca/cases/:id/hours': { own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/hours`, payload: { hours: 1 } }), other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/hours`, payload: { hours: 1 } }) },
  'POST /api/v1/pca/cases/:id/close': {
    own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/close`, payload: { outcome: 'assessed', note: 'matrix closure', legalBasis: 'CAUCA art. 62' } }),
    other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/close`, payload: { outcome: 'assessed', note: 'matrix closure', legalBasis: 'CAUCA art. 62' } }),
  },
  'POST /api/v1/pca/cases/:id/share': { own: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OWN].case}/share`, payload: { userId: s.user[OWN] } }), other: (s) => ({ url: `/api/v1/pca/cases/${s.pca[OTHER].case}/share`, payload: { userId: s.user[OTHER] } }) },
  'GET /api/v1/pca/traders/:tin': { own: () => ({ url: '/api/v1/pca/traders/4455667-8' }), other: () => ({ url: '/api/v1/pca/traders/4455667-8?country=SV' }), otherRefusal: [403] },
  'GET /api/v1/pca/effectiveness': { own: () => ({ url: '/api/v1/pca/effectiveness' }), other: () => ({ url: '/api/v1/pca/effectiveness?country=SV' }), otherRefusal: [403] },
  'POST /api/v1/pca/tax-returns/import': {
    own: () => ({ url: '/api/v1/pca/tax-returns/import', headers: { 'content-type': 'text/csv' }, payload: 'country,tin,period,declaredImports,purchases,sales,currency\nGT,4455667-8,2026-06,1000,100,2000,USD\n' }),
    other: () => ({ url: '/api/v1/pca/tax-returns/import', headers: { 'content-type': 'text/csv' }, payload: 'country,tin,period,declaredImports,purchases,sales,currency\nSV,4455667-8,2026-06,1000,100,2000,USD\n' }),
    otherRefusal: [403],
    refusedBody: (b) => b.rejected === 1 && b.stored === 0,
  },
  'POST /api/v1/pca/tax-mismatches/detect': { own: () => ({ url: '/api/v1/pca/tax-mismatches/detect', payload: { from: '2026-06', to: '2026-06' } }), other: () => ({ url: '/api/v1/pca/tax-mismatches/detect', payload: { country: OTHER, from: '2026-06', to: '2026-06' } }), otherRefusal: [403] },
  'GET /api/v1/pca/tax-mismatches': { own: () => ({ url: '/api/v1/pca/tax-mismatches' }), other: () => ({ url: '/api/v1/pca/tax-mismatches?country=SV' }), otherRefusal: [403] },

};

/** San Salvador's Acajutla → El Amatillo (SV→HN) → San Lorenzo: concerns SV and HN, never GT. */
function svTransit(reference: string): any {
  return mutate(transitDeclaration(reference), (t) => {
    t.country = 'SV';
    t.officeOfDeparture = 'SVAQJ';
    t.route = ['SV0AM', 'HN0AM'];
    t.conveyance.plateCountry = 'SV';
    t.conveyance.rfidTag = `E280-SV-${reference}`;
  });
}

/** A small real model bundle (trained on made-up rows), so that model routes have something to load. */
function tinyModel() {
  const rows: RawRow[] = Array.from({ length: 40 }, (_, i) => FEATURES.map((f, j) => (f.kind === 'categorical' ? ['a', 'b', 'c'][(i + j) % 3] : ((i * 7 + j) % 13) + (i % 2) * 5)));
  return trainRiskModel({ rows, y: rows.map((_, i) => i % 2) }, rows, { params: { rounds: 3 } }).bundle;
}

/**
 * A 403 the policy gave (the role may not do the action, or not in that administration), as
 * opposed to a rule of the trade (four eyes, a control assigned to someone else).
 */
function policyRefusal(body: string): boolean {
  const code = (JSON.parse(body) as { errors?: { code?: string }[] }).errors?.[0]?.code;
  return REFUSAL_CODES.includes(code as RefusalCode);
}

/** The administrations a listed item belongs to (for the check that lists stay within reach). */
function itemCountries(item: any): string[] | null {
  if (!item || typeof item !== 'object') return null;
  if (Array.isArray(item.countries)) return item.countries;
  if (typeof item.country === 'string') return [item.country];
  return null;
}

describe('authorization matrix: every route × every role × own / other administration', () => {
  let database: Database;
  let built: BuiltApp;
  const subjects: Subject[] = [];
  const seed = { user: {}, regionalUser: {}, key: {}, declaration: {}, manifest: {}, criterion: {}, control: {}, assessment: {}, duty: {}, officer: {}, model: {}, movement: {}, pca: {}, exchangeMessage: {}, deadLetter: {}, exchangeKey: {}, coop: {} } as Seed;
  let table: RouteGuard[] = [];

  beforeAll(async () => {
    database = await openTestPglite();
    const clock = new FixedClock(NOW);
    const deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0 } };
    built = await buildApp(deps);
    table = routeGuards(built.app);
    const access = new AccessService(deps);
    const sys = (cc: string, name = 'matrix') => ({ ...SYSTEM_PRINCIPAL(cc, name), id: name });

    // people of GT in every role (the callers), and targets in both administrations
    for (const role of USER_ROLES) {
      const u = await access.createUser(sys(OWN), { username: `gt.${role.replace('_', '-')}`, displayName: role, role, country: OWN, password: PASSWORD });
      const { token } = await access.login(u.username, PASSWORD);
      subjects.push({ label: role, principal: { kind: 'user', id: u.id, name: u.username, role, country: OWN }, headers: { authorization: `Bearer ${token}` } });
    }
    for (const cc of [OWN, OTHER]) {
      seed.user[cc] = (await access.createUser(sys(cc), { username: `${cc.toLowerCase()}.target`, displayName: 'Target', role: 'auditor', country: cc, password: PASSWORD })).id;
      seed.regionalUser[cc] = (await access.createUser(sys(cc), { username: `${cc.toLowerCase()}.regional-target`, displayName: 'Regional target', role: 'regional_analyst', country: cc, password: PASSWORD })).id;
      seed.key[cc] = (await access.createApiKey(sys(cc), { name: `throwaway ${cc}`, role: 'system', country: cc })).apiKey.id;
      seed.officer[cc] = (await access.createUser(sys(cc), { username: `${cc.toLowerCase()}.inspector`, displayName: 'Inspector', role: 'officer', country: cc, password: PASSWORD })).id;
    }
    const systemKey = await access.createApiKey(sys(OWN), { name: 'SIGA GT', role: 'system', country: OWN });
    subjects.push({ label: 'system (API key)', principal: { kind: 'api_key', id: systemKey.apiKey.id, name: 'SIGA GT', role: 'system', country: OWN }, headers: { 'x-api-key': systemKey.key } });
    // a key made before keys were limited to KEY_ROLES: it still must not approve nor manage
    const legacy = `ck_0badc0de_${'A'.repeat(43)}`;
    const legacyId = uuidv7(Date.parse(NOW));
    await database.db.insert(schema.apiKeys).values({ id: legacyId, name: 'legacy admin key', prefix: '0badc0de', keyHash: sha256Hex(legacy), role: 'admin', country: OWN, createdBy: 'user:gt.admin', createdAt: new Date(NOW), revokedAt: null });
    subjects.push({ label: 'admin (legacy API key)', principal: { kind: 'api_key', id: legacyId, name: 'legacy admin key', role: 'admin', country: OWN }, headers: { 'x-api-key': legacy } });

    // records of both administrations: declarations, manifests, a control on a red declaration, criteria, duties, models, transits
    for (const cc of [OWN, OTHER]) {
      const author = sys(cc, 'matrix-author');
      const red = await built.risk.createCriterion(author, { country: cc, name: `Seed red ${cc}`, reason: 'seed: every seed declaration goes red', expression: 'decl.reference.endsWith("-RED")', weight: 0, forcedChannel: 'red', manifestAction: null, regional: false, scope: { offices: [], types: [], stages: ['declaration'] } } as any);
      await built.risk.submitCriterion(author, red.id);
      await built.risk.approveCriterion(sys(cc, 'matrix-approver'), red.id, 'seed');
      const draft = await built.risk.createCriterion(author, { country: cc, name: `Seed draft ${cc}`, reason: 'seed criterion awaiting approval', expression: 'decl.type == "EX"', weight: 5, forcedChannel: null, manifestAction: null, regional: false, scope: { offices: [], types: [], stages: ['declaration'] } } as any);
      await built.risk.submitCriterion(author, draft.id);
      seed.criterion[cc] = draft.id;
      const office = cc === OWN ? 'GTPRQ' : 'SVAQJ';
      seed.duty[cc] = (await built.risk.addDuty(sys(cc), { officerId: seed.officer[cc], office, from: '2026-06-14T00:00:00Z', to: '2026-06-16T00:00:00Z' })).id;
      const m = await built.intake.submitManifest(cc === OWN ? validManifest('GT-MAN-SEED') : svManifest('SV-MAN-SEED'), sys(cc), 'seed');
      seed.manifest[cc] = m.id;
      const d = await built.intake.submitDeclaration(cc === OWN ? validDeclaration('GT-SEED-RED') : svDeclaration('SV-SEED-RED'), sys(cc), 'seed');
      expect(d.assessment.channel, `the ${cc} seed declaration goes red`).toBe('red');
      seed.declaration[cc] = d.id;
      const [ctrl] = await database.db.select().from(schema.controls).where(eq(schema.controls.declarationId, d.id));
      seed.control[cc] = ctrl.id;
      seed.assessment[cc] = ctrl.assessmentId;
      const modelId = uuidv7(Date.parse(NOW));
      const t = new Date(NOW);
      await database.db.insert(schema.intelligenceModels).values({ id: modelId, country: cc, name: `${cc}-MATRIX-01`, status: 'candidate', windowFrom: t, windowTo: t, holdoutFrom: t, features: FEATURES, params: {}, metrics: {}, bundle: tinyModel(), trainedBy: 'matrix-trainer', trainedAt: t });
      seed.model[cc] = modelId;
    }
    const gtTransit = await built.app.inject({ method: 'POST', url: '/api/v1/transit/movements', headers: subjects.find((s) => s.label === 'supervisor')!.headers, payload: transitDeclaration('TRGT-SEED') });
    expect(gtTransit.statusCode, gtTransit.body).toBe(201);
    seed.movement[OWN] = gtTransit.json().id;
    seed.movement[OTHER] = (await new TransitService(deps).declareMovement(svTransit('TRSV-SEED'), sys(OTHER))).id;
    // the exchange: a message sent by each administration (a payload version no handler here reads: not checked on the way out), a dead letter for each, each one's signing key
    for (const [cc, to] of [[OWN, OTHER], [OTHER, OWN]] as const) {
      const r = await database.db.transaction((tx) => built.exchange.enqueue(tx, { sender: cc, recipients: [to], kind: 'seizure.reported', payload: { matrix: true }, schemaVersion: 99 }));
      seed.exchangeMessage[cc] = r.id!;
      const dead = await built.exchange.examine(cc, 'not an envelope');
      seed.deadLetter[cc] = dead.outcome === 'dead' ? dead.deadLetterId : '';
      seed.exchangeKey[cc] = (await built.exchange.keys.exportBundle(cc)).keys[0].keyId;
    }
    // post-clearance audit: in each administration an auditor on the roster, a pending sensitive goods entry, a declared conflict, an approved plan and a case opened from it with a document request
    const pca = new PcaService({ db: database.db, clock, intelligence: built.intelligence, directory: { user: async (id) => { const u = await access.getUser(sys(OWN), id).catch(() => null); return u ? { id: u.id, name: u.displayName, role: u.role, country: u.country, active: u.active } : null; } } });
    for (const cc of [OWN, OTHER]) {
      const author = sys(cc, 'matrix-pca-author');
      await pca.setAuditor(author, { country: cc, userId: seed.user[cc], hoursPerMonth: 80, active: true });
      const sensitive = await pca.proposeSensitive(author, { country: cc, hs: '2208', reason: 'excise', note: 'matrix spirits', validFrom: '2026-01-01' });
      const conflict = await pca.declareConflict(author, { country: cc, auditorUserId: seed.user[cc], traderTin: '2222222-2', reason: 'matrix seed conflict' });
      const plan = await pca.createPlan(author, { country: cc, month: '2026-07', capacityHours: 100, randomShare: 0 });
      await pca.decidePlan(sys(cc, 'matrix-pca-approver'), plan.id, { approve: true });
      const item = plan.items.find((x) => x.selected)!;
      const opened = await pca.openCase(author, { planItemId: item.id });
      const request = await pca.requestDocuments(author, opened.id, { description: 'matrix seed invoices' });
      seed.pca[cc] = { sensitive: sensitive.id, conflict: conflict.id, plan: plan.id, item: item.id, case: opened.id, request: request.id };
    }
    // regional cooperation: each administration holds a RIF, a common criterion and a seizure report received from the other
    for (const [cc, from] of [[OWN, OTHER], [OTHER, OWN]] as const) {
      const env = <P>(kind: 'rif.sent' | 'criterion.proposed' | 'seizure.reported', payload: P) => ({ id: uuidv7(), sender: from, recipients: [cc], kind, schemaVersion: 1, sentAt: NOW, subject: null, payload, keyId: 'matrix', signature: 'matrix' });
      const ids = { rif: uuidv7(), proposal: uuidv7(), intel: uuidv7() };
      await database.db.transaction(async (tx) => {
        await built.cooperation.applyRifSent(tx, env('rif.sent', { rifId: ids.rif, reference: `RIF-${from}-MATRIX`, administration: from, title: 'Matrix alert', riskType: 'revenue', subject: { traderTins: ['4455667-8'], plates: [], containers: [], route: { dispatch: [], destination: [], offices: [] }, goods: { hsCodes: [] } }, indicators: { text: 'matrix indicators', items: [] }, recommendedAction: 'watch', validFrom: NOW, validTo: '2026-12-31T00:00:00Z', handling: 'customs_only', feedbackRequested: true }), cc);
        await built.cooperation.applyCriterionProposed(tx, env('criterion.proposed', { proposalId: ids.proposal, reference: `RCC-${from}-MATRIX`, administration: from, name: 'Matrix common', rationale: 'matrix rationale', expression: 'decl.type == "IM"', scope: { types: [], stages: ['declaration'] }, weight: 10, forcedChannel: null, validTo: null, proposedAt: NOW }), cc);
        await built.cooperation.applyControlReport(tx, { ...env('seizure.reported', { reportId: ids.intel, administration: from, office: from === 'GT' ? 'GTPRQ' : 'SVAQJ', occurredAt: NOW, channel: 'red', declarationType: 'IM', outcome: 'discrepancy', discrepancies: [{ kind: 'prohibited' }], goodsSeized: true, seizureDescription: 'matrix goods', extraDutiesAssessed: 0, currency: 'USD', goods: [], route: { dispatch: null, destination: null }, transport: { mode: 3, conveyance: 'C123ABC', containers: [] }, trader: { tin: '4455667-8' } }) }, cc);
      });
      seed.coop[cc] = ids;
    }
  }, 120_000);
  afterAll(async () => {
    await built?.app.close();
    await database?.close();
  });

  it('every route under /api/ is public, or guarded by a policy action and described in the matrix', () => {
    expect(unguardedRoutes(built.app)).toEqual([]);
    const guarded = table.filter((r) => !r.public);
    expect(guarded.filter((r) => !r.action).map((r) => `${r.method} ${r.url}`), 'routes guarded by requireRole(...) instead of authorize(action)').toEqual([]);
    expect(guarded.filter((r) => !ROUTES[`${r.method} ${r.url}`]).map((r) => `${r.method} ${r.url}`), 'routes missing from ROUTES in this test').toEqual([]);
    // nothing is public but health, sign-in and the API's documentation
    const publicOnes = table.filter((r) => r.public).map((r) => `${r.method} ${r.url}`).filter((u) => !u.includes(' /api/docs'));
    expect(publicOnes.filter((u) => !['GET /api/openapi.json', 'GET /api/v1/health', 'POST /api/v1/auth/login'].includes(u))).toEqual([]);
    expect(publicOnes).toContain('POST /api/v1/auth/login');
  });

  it('answers every cell as the policy says', async () => {
    const failures: string[] = [];
    // a policy refusal must be told apart from a rule of the trade (four eyes): an officer listing users gets one
    expect(policyRefusal((await built.app.inject({ method: 'GET', url: '/api/v1/users', headers: subjects[2].headers })).body)).toBe(true);
    // sign-out ends the caller's session: last
    const routes = table.filter((r) => !r.public && r.action && ROUTES[`${r.method} ${r.url}`]).sort((a, b) => Number(a.url.endsWith('/logout')) - Number(b.url.endsWith('/logout')));
    let cells = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const spec = ROUTES[key];
      const action = route.action!;
      for (const who of subjects) {
        for (const where of ['own', 'other'] as const) {
          const make = where === 'own' ? spec.own : spec.other;
          if (!make) continue;
          const req = make(seed, who);
          const res = await built.app.inject({ method: route.method as any, url: req.url, headers: { ...who.headers, ...req.headers }, ...(req.payload !== undefined ? { payload: req.payload as any } : {}) });
          cells++;
          const cell = `${key} as ${who.label} (${where}: ${req.url}) → ${res.statusCode}`;
          const allowed = allows(who.principal, action);
          if (!allowed) {
            if (res.statusCode !== 403) failures.push(`${cell}: the policy refuses ${action} to this caller, expected 403`);
            continue;
          }
          if (res.statusCode >= 500) failures.push(`${cell}: a 5xx (${res.body.slice(0, 200)})`);
          const reaches = where === 'own' || mayActOn(who.principal, spec.otherAction ?? action, OTHER);
          if (reaches) {
            if (res.statusCode === 401 || (res.statusCode === 403 && policyRefusal(res.body))) failures.push(`${cell}: the policy allows ${action} here, expected it through (${res.body.slice(0, 200)})`);
          } else {
            const refusals = spec.otherRefusal ?? [404];
            const refusedInBody = res.statusCode === 200 && spec.refusedBody?.(res.json());
            if (!refusals.includes(res.statusCode) && !refusedInBody) failures.push(`${cell}: another administration out of reach, expected ${refusals.join(' or ')} (${res.body.slice(0, 200)})`);
          }
          // whatever a list answers stays within the administrations the caller reaches
          if (res.statusCode === 200 && res.headers['content-type']?.toString().includes('json')) {
            const body = res.json();
            const items: unknown[] = Array.isArray(body?.items) ? body.items : [];
            for (const item of items) {
              const cs = itemCountries(item);
              if (cs && !cs.some((c) => mayActOn(who.principal, action, c))) {
                failures.push(`${cell}: lists a record of ${cs.join('/')}, out of reach`);
                break;
              }
            }
          }
        }
      }
    }
    expect(cells).toBeGreaterThan(routes.length * subjects.length);
    expect(failures).toEqual([]);
  }, 300_000);
});
