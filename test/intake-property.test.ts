/**
 * Property: whatever a national system sends as a declaration, Centinela answers with a decision
 * (2xx) or a problem naming the fields at fault (4xx), never a 5xx; a refused declaration leaves no
 * row behind, an accepted one is stored with its assessment.
 */
import fc from 'fast-check';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestPglite } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App } from '../src/server/deps.ts';
import { validDeclaration } from './fixtures.ts';

/** Values that break parsers and databases: control characters, lone surrogates, huge numbers, wrong types. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\u0000b', '\u001b[31m', '\ud800', '\uffff', ' ', '', '0', '-1', '1e308', 'NaN', "'; drop table declarations; --", '<script>alert(1)</script>', 'x'.repeat(5000)),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308, -1e308, 0.1),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in a JSON document. */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const out: (string | number)[][] = [prefix];
  for (const [k, x] of Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v)) out.push(...paths(x as Json, [...prefix, k]));
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: unknown, remove: boolean): Json {
  if (path.length === 0) return value as Json;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value as Json;
  return copy;
}

describe('declaration intake under arbitrary input', () => {
  let database: Database;
  let app: App;
  let key: string;
  const base = validDeclaration('GT-PROP-BASE') as Json;
  const allPaths = paths(base).filter((p) => p.length > 0);

  beforeAll(async () => {
    database = await openTestPglite();
    const deps = { database, db: database.db, ref: getReferenceData(), clock: systemClock, config: loadConfig({}) };
    ({ app } = await buildApp(deps));
    key = (await new AccessService(deps).createApiKey(SYSTEM_PRINCIPAL('GT', 'test'), { name: 'SIGA', role: 'system', country: 'GT' })).key;
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('answers 2xx or 4xx, never 5xx; a refusal leaves no row, an acceptance stores the declaration and its assessment', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...allPaths), nasty, fc.boolean()), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          const reference = `GT-PROP-${String(n++).padStart(5, '0')}`;
          let doc = structuredClone(base) as Json;
          (doc as Record<string, Json>).reference = reference;
          for (const [p, v, remove] of edits) {
            try {
              doc = setAt(doc, p, v, remove);
            } catch {
              /* the path no longer exists after an earlier edit */
            }
          }
          const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload: JSON.stringify(doc) });
          expect(r.statusCode, r.body).toBeLessThan(500);
          const body = r.json();
          const ref = doc && typeof doc === 'object' && !Array.isArray(doc) && typeof doc.reference === 'string' ? doc.reference : reference;
          const [{ n: stored }] = await database.db.select({ n: count() }).from(schema.declarations).where(eq(schema.declarations.reference, ref));
          if (r.statusCode >= 400) {
            expect(body.status).toBe(r.statusCode);
            expect(typeof body.title).toBe('string');
            expect(body.detail ?? '').not.toMatch(/\b(select|insert|update)\b.*\b(from|into|set)\b/i);
            if (ref.startsWith('GT-PROP-')) expect(Number(stored)).toBe(0);
          } else {
            expect(Number(stored)).toBe(1);
            expect(['green', 'yellow', 'red', 'blue']).toContain(body.assessment.channel);
          }
        },
      ),
      { numRuns: 150, seed: 20261201 },
    );
  });
});
