/**
 * Sign-in throttling, kept in the database (table login_throttle): shared by every server process
 * on the same database, and surviving a restart.
 *
 * Design, and why:
 * - A lock is keyed by (username, source address), not by username alone. Five failures for one
 *   username from one source within 15 minutes lock that pair for 15 minutes. Whoever guesses
 *   passwords for `gt.admin` from one address locks only themself out of `gt.admin`; the real
 *   admin, signing in from another address, is not affected. A username-wide lock would let
 *   anyone keep a known account (`gt.admin`) locked for good with five wrong passwords every
 *   quarter of an hour; that is the denial of service this design refuses.
 * - A source address is throttled as a whole too: SOURCE_MAX_FAILURES failures within the window
 *   (whatever the usernames) lock the address for all usernames. This bounds guessing from one
 *   address across many accounts, and a flood of new usernames (which no longer evicts anything:
 *   nothing is kept in memory). IPv6 addresses count by their /64 network, so that one host cannot
 *   rotate through its own addresses.
 * - While a pair or its source is locked, the password is not even looked at (the same 429 with
 *   Retry-After whatever the password), so a lock cannot be used to test passwords.
 * - A correct password from a source that is not throttled signs in; it clears that pair's count
 *   (never the source's: one valid account must not launder an address's guessing).
 * - An admin of the user's administration lifts the locks of a username at once:
 *   `DELETE /api/v1/auth/locks/{username}` (audited).
 * A distributed guesser (many addresses) gets five tries per address per quarter of an hour; the
 * password policy (modules/access/passwords.ts) and scrypt make that slow enough; a second factor
 * is the next step and is outside this issue.
 *
 * Behind a reverse proxy, set CENTINELA_TRUST_PROXY so that the source is the client's address
 * (X-Forwarded-For), not the proxy's: otherwise every client shares one source.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { NotFoundError, TooManyRequestsError } from '../../core/errors.ts';
import { queryRows, sql, type Db } from '../../db/client.ts';
import type { App } from '../../server/deps.ts';
import { appendAudit } from './audit.ts';
import { authorize, principalOf } from './auth.ts';
import * as repo from './repository.ts';
import { problems } from '../../core/problem.ts';
import { mayActOn } from './policy.ts';

export const THROTTLE = {
  /** failures of one username from one source within the window that lock the pair (LOGIN_MAX_FAILURES) */
  pairMaxFailures: 5,
  /** failures from one source (any usernames) within the window that lock the source */
  sourceMaxFailures: 30,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  /** rows untouched this long (and not locked) are deleted */
  keepMs: 24 * 60 * 60_000,
} as const;

/** The source a sign-in comes from: an IPv4 address, or the /64 network of an IPv6 address. */
export function sourceOf(ip: string | undefined): string {
  const a = (ip ?? '').trim();
  if (!a) return 'local';
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (v4mapped) return v4mapped[1];
  if (isIP(a) !== 6) return a.slice(0, 64);
  const [head, tail = ''] = a.toLowerCase().split('%')[0].split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const full = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${full.slice(0, 4).map((x) => x.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const userKey = (username: string) => createHash('sha256').update(username).digest('hex').slice(0, 32);
const pairKey = (username: string, source: string) => `pair:${userKey(username)}|${source}`;
const sourceKey = (source: string) => `source:${source}`;

export type LockKind = 'pair' | 'source';

export interface NewLock {
  kind: LockKind;
  lockedUntil: Date;
  failures: number;
}

export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly limits: { pairMaxFailures: number; sourceMaxFailures: number; windowMs: number; lockMs: number; keepMs: number } = THROTTLE,
  ) {}

  /** Throws a 429 (with Retry-After) when the pair or the source is locked now. */
  async check(username: string, source: string): Promise<void> {
    const now = this.clock.now();
    const rows = await queryRows<{ kind: LockKind; locked_until: string | Date }>(
      this.db,
      sql`select kind, locked_until from login_throttle where key in (${pairKey(username, source)}, ${sourceKey(source)}) and locked_until > ${now.toISOString()}::timestamptz`,
    );
    if (!rows.length) return;
    const until = Math.max(...rows.map((r) => new Date(r.locked_until).getTime()));
    const secs = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
    const mins = Math.ceil(secs / 60);
    throw new TooManyRequestsError(
      rows.some((r) => r.kind === 'source')
        ? `Too many failed sign-ins from your address: try again in ${mins} minute(s)`
        : `Too many failed sign-ins for this username from your address: try again in ${mins} minute(s)`,
      secs,
    );
  }

  /** Counts a failed sign-in for the pair and the source; answers the locks this failure made (to be audited once). */
  async failure(username: string, source: string): Promise<NewLock[]> {
    const made: NewLock[] = [];
    const now = this.clock.now();
    for (const [kind, key, max] of [
      ['pair', pairKey(username, source), this.limits.pairMaxFailures],
      ['source', sourceKey(source), this.limits.sourceMaxFailures],
    ] as const) {
      const n = await this.count(kind, key, now);
      if (n < max) continue;
      const until = new Date(now.getTime() + this.limits.lockMs);
      // only the failure that makes the lock gets a row back (concurrent ones see it locked)
      const locked = await queryRows(
        this.db,
        sql`update login_throttle set locked_until = ${until.toISOString()}::timestamptz, failures = 0, window_start = ${now.toISOString()}::timestamptz
            where key = ${key} and (locked_until is null or locked_until <= ${now.toISOString()}::timestamptz) returning key`,
      );
      if (locked.length) made.push({ kind, lockedUntil: until, failures: n });
    }
    if (Math.random() < 0.02) await this.prune();
    return made;
  }

  private async count(kind: LockKind, key: string, now: Date): Promise<number> {
    const at = now.toISOString();
    const cutoff = new Date(now.getTime() - this.limits.windowMs).toISOString();
    const [r] = await queryRows<{ failures: number }>(
      this.db,
      sql`insert into login_throttle (key, kind, failures, window_start, locked_until, updated_at)
          values (${key}, ${kind}, 1, ${at}::timestamptz, null, ${at}::timestamptz)
          on conflict (key) do update set
            failures = case when login_throttle.window_start <= ${cutoff}::timestamptz then 1 else login_throttle.failures + 1 end,
            window_start = case when login_throttle.window_start <= ${cutoff}::timestamptz then ${at}::timestamptz else login_throttle.window_start end,
            updated_at = ${at}::timestamptz
          returning failures`,
    );
    return Number(r.failures);
  }

  /** A correct sign-in clears its pair's count (never the source's). */
  async success(username: string, source: string): Promise<void> {
    await this.db.execute(sql`delete from login_throttle where key = ${pairKey(username, source)}`);
  }

  /** Lifts every lock (and count) of a username, from every source; answers how many were lifted. */
  async lift(username: string): Promise<number> {
    const rows = await queryRows(this.db, sql`delete from login_throttle where key like ${`pair:${userKey(username)}|%`} returning key`);
    return rows.length;
  }

  /** Lifts a source address's lock and count. */
  async liftSource(source: string): Promise<number> {
    const rows = await queryRows(this.db, sql`delete from login_throttle where key = ${sourceKey(sourceOf(source))} returning key`);
    return rows.length;
  }

  /** Forgets counts untouched for a day whose lock (if any) is over. */
  async prune(): Promise<void> {
    const now = this.clock.now();
    const old = new Date(now.getTime() - this.limits.keepMs).toISOString();
    await this.db.execute(sql`delete from login_throttle where updated_at < ${old}::timestamptz and (locked_until is null or locked_until < ${now.toISOString()}::timestamptz)`);
  }
}

/** `DELETE /api/v1/auth/locks/{username}`: an admin lifts a user's sign-in locks (users of their own administration only). */
export async function throttleRoutes(app: App, deps: { db: Db; clock: Clock }, throttle = new LoginThrottle(deps.db, deps.clock)): Promise<void> {
  app.delete(
    '/api/v1/auth/locks/:username',
    {
      preHandler: authorize('auth.locks.lift'),
      schema: {
        tags: ['access'],
        summary: "Lift a user's sign-in locks (failed sign-ins lock a username only for the address they came from; this lifts them from every address)",
        params: z.object({ username: z.string().min(1).max(200) }),
        response: { 200: z.object({ username: z.string(), lifted: z.number() }), ...problems },
      },
    },
    async (req) => {
      const actor = principalOf(req);
      const username = req.params.username.trim().toLowerCase();
      const user = await repo.findUserByUsername(deps.db, username);
      if (!user || !mayActOn(actor, 'auth.locks.lift', user.country)) throw new NotFoundError(`User ${username}`);
      const lifted = await throttle.lift(username);
      await deps.db.transaction((tx) =>
        appendAudit(tx, { actor, action: 'auth.lock_lifted', entityType: 'user', entityId: user.id, country: user.country, after: { username, lifted } }, deps.clock),
      );
      return { username, lifted };
    },
  );
}
