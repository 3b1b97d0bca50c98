import { randomBytes, timingSafeEqual } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, formatPath } from '../../core/errors.ts';
import { sha256Hex } from '../../core/hash.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import { appendAudit, type AuditEntryInput } from './audit.ts';
import { LoginThrottle, sourceOf } from './throttle.ts';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import * as repo from './repository.ts';
import {
  auditQuery,
  createApiKeyBody,
  createUserBody,
  updateUserBody,
  type ApiKeyView,
  type AuditEntryView,
  type CreateApiKeyInput,
  type CreateUserInput,
  type UpdateUserInput,
  type UserView,
} from './schema.ts';
import { keyRoleProblem, mayActOn, reachesAll, requireAdministration, requireGrant } from './policy.ts';
import { SYSTEM_PRINCIPAL, type Principal, type Role } from './types.ts';
import { requireServed, servedAdministrations } from './node.ts';

/** What the access service needs (a subset of AppDeps). */
export interface AccessDeps {
  db: Db;
  clock: Clock;
  /** the administrations this node serves (CENTINELA_ADMINISTRATIONS; default all seven): accounts and keys of those only */
  config?: { administrations?: readonly string[]; randomControlRate?: number };
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** failed sign-ins for one username from one source within LOGIN_WINDOW_MS that lock that pair for LOGIN_LOCK_MS (the figures THROTTLE in throttle.ts uses) */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;
/** session tokens and API keys say what they are, so that one is never taken for the other */
export const SESSION_TOKEN_PREFIX = 'cs_';
export const API_KEY_PREFIX = 'ck_';
const SESSION_TOKEN_RE = /^cs_[A-Za-z0-9_-]{43}$/;
const API_KEY_RE = /^ck_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export const DEMO_PASSWORD = 'centinela-demo';

export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  sessionId: string;
  user: UserView;
}

export interface ResolvedCredential {
  principal: Principal;
  /** set when the credential is a session token */
  sessionId?: string;
}

export interface DemoAccount {
  username: string;
  role: Role;
  country: string;
  /** false when it existed already (its password may have been changed since) */
  created: boolean;
}

export function toUserView(u: repo.UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role as UserView['role'],
    country: u.country,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function toApiKeyView(k: repo.ApiKeyRow): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role as Role,
    country: k.country,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}

export function toAuditView(r: repo.AuditRow): AuditEntryView {
  return { ...r, at: r.at.toISOString(), before: r.before ?? null, after: r.after ?? null };
}

/** What the audit log keeps of a user: never the password hash. */
function auditUser(u: Pick<repo.UserRow, 'username' | 'displayName' | 'role' | 'country' | 'active'>) {
  return { username: u.username, displayName: u.displayName, role: u.role, country: u.country, active: u.active };
}

function auditKey(k: Pick<repo.ApiKeyRow, 'name' | 'prefix' | 'role' | 'country' | 'revokedAt'>) {
  return { name: k.name, prefix: k.prefix, role: k.role, country: k.country, revokedAt: k.revokedAt?.toISOString() ?? null };
}

function parse<S extends z.ZodType>(s: S, input: unknown): z.output<S> {
  const r = s.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message })),
  );
}

function isUniqueViolation(e: unknown): boolean {
  const x = e as { code?: string; cause?: { code?: string } };
  return x?.code === '23505' || x?.cause?.code === '23505';
}

function userPrincipal(u: repo.UserRow): Principal {
  return { kind: 'user', id: u.id, name: u.username, role: u.role as Role, country: u.country };
}

function sameHash(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Users, sessions, API keys and the reading of the audit log. Every state change writes the
 * audit log in the transaction that makes it. Country scoping is enforced here (an admin acts on
 * its own administration only); role checks are the routes' (see `requireRole`).
 */
export class AccessService {
  private readonly db: Db;
  private readonly clock: Clock;
  /** the administrations this node serves */
  readonly served: readonly string[];

  /** failed sign-ins per (username, source) and per source, in the database (see throttle.ts) */
  readonly throttle: LoginThrottle;

  constructor(deps: AccessDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.served = servedAdministrations(deps.config);
    this.throttle = new LoginThrottle(deps.db, deps.clock);
  }

  /** Counts a failed sign-in; a lock it makes (of the pair or of the source) is audited once. */
  private async noteFailure(username: string, source: string, country: string | null): Promise<void> {
    const locks = await this.throttle.failure(username, source);
    if (!locks.length) return;
    await this.db.transaction((tx) =>
      this.audit(
        tx,
        locks.map((l) => ({
          actor: SYSTEM_PRINCIPAL(country ?? '', 'auth'),
          action: 'auth.login_locked',
          entityType: l.kind === 'pair' ? 'user' : 'source',
          entityId: l.kind === 'pair' ? username.slice(0, 80) : source,
          country: l.kind === 'pair' ? country : null,
          after: { ...(l.kind === 'pair' ? { username: username.slice(0, 80) } : {}), source, lock: l.kind, failures: l.failures, lockedUntil: l.lockedUntil.toISOString() },
        })),
      ),
    );
  }

  private audit(tx: Tx, entries: AuditEntryInput | AuditEntryInput[]): Promise<void> {
    return appendAudit(tx, entries, this.clock);
  }

  /** A user the actor may see (itself, or within its `users.read` reach), else 404 (other administrations' users are not revealed). */
  private async visibleUser(tx: Tx, actor: Principal, id: string, lock = false): Promise<repo.UserRow> {
    const u = lock ? await repo.lockUser(tx, id) : await repo.findUserById(tx, id);
    const self = actor.kind === 'user' && actor.id === id;
    if (!u || !(self || mayActOn(actor, 'users.read', u.country))) throw new NotFoundError(`User ${id}`);
    return u;
  }

  /** 403 unless the actor may manage this user: its administration and its current role are within the actor's grant. */
  private requireManage(actor: Principal, u: repo.UserRow): void {
    requireGrant(actor, u.role as Role, u.country, 'users.manage', `role (${u.username} holds ${u.role})`);
  }

  // ---- users

  async createUser(actor: Principal, input: CreateUserInput): Promise<UserView> {
    const v = parse(createUserBody, input);
    requireServed(this.served, v.country, 'country', 'accounts');
    requireGrant(actor, v.role, v.country, 'users.manage');
    checkPasswordPolicy(v.password, { username: v.username });
    const passwordHash = await hashPassword(v.password);
    const now = this.clock.now();
    const row: repo.UserRow = {
      id: uuidv7(now.getTime()),
      username: v.username,
      displayName: v.displayName,
      role: v.role,
      country: v.country,
      passwordHash,
      active: true,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.db.transaction(async (tx) => {
        if (await repo.findUserByUsername(tx, v.username)) throw new ConflictError(`The username ${v.username} is taken`);
        await repo.insertUser(tx, row);
        await this.audit(tx, {
          actor,
          action: 'user.created',
          entityType: 'user',
          entityId: row.id,
          country: row.country,
          after: auditUser(row),
        });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`The username ${v.username} is taken`);
      throw e;
    }
    return toUserView(row);
  }

  async listUsers(
    actor: Principal,
    f: { country?: string; role?: string; active?: boolean; limit?: number; offset?: number } = {},
  ): Promise<UserView[]> {
    if (f.country) requireAdministration(actor, 'users.read', f.country);
    const rows = await repo.listUsers(this.db, {
      country: reachesAll(actor, 'users.read') ? f.country : (f.country ?? actor.country),
      role: f.role,
      active: f.active,
      limit: f.limit ?? 1000,
      offset: f.offset ?? 0,
    });
    return rows.map(toUserView);
  }

  async getUser(actor: Principal, id: string): Promise<UserView> {
    return toUserView(await this.visibleUser(this.db, actor, id));
  }

  async findUserByUsername(actor: Principal, username: string): Promise<UserView> {
    const u = await repo.findUserByUsername(this.db, username.trim().toLowerCase());
    if (!u || !mayActOn(actor, 'users.read', u.country)) throw new NotFoundError(`User ${username}`);
    return toUserView(u);
  }

  async updateUser(actor: Principal, id: string, patch: UpdateUserInput): Promise<UserView> {
    const v = parse(updateUserBody, patch);
    return this.db.transaction(async (tx) => {
      const before = await this.visibleUser(tx, actor, id, true);
      this.requireManage(actor, before);
      if (v.role !== undefined && v.role !== before.role) requireGrant(actor, v.role, before.country, 'users.manage');
      if (actor.kind === 'user' && actor.id === id) {
        if (v.role !== undefined && v.role !== before.role) {
          throw new ForbiddenError('role: you may not change your own role (ask another admin)');
        }
        if (v.active === false) throw new ForbiddenError('active: you may not deactivate your own account');
      }
      const after: repo.UserRow = {
        ...before,
        displayName: v.displayName ?? before.displayName,
        role: v.role ?? before.role,
        active: v.active ?? before.active,
        updatedAt: this.clock.now(),
      };
      const changed =
        after.displayName !== before.displayName || after.role !== before.role || after.active !== before.active;
      if (!changed) return toUserView(before);
      await repo.updateUser(tx, id, {
        displayName: after.displayName,
        role: after.role,
        active: after.active,
        updatedAt: after.updatedAt,
      });
      if (!after.active) await repo.deleteUserSessions(tx, id);
      await this.audit(tx, {
        actor,
        action: before.active && !after.active ? 'user.deactivated' : 'user.updated',
        entityType: 'user',
        entityId: id,
        country: before.country,
        before: auditUser(before),
        after: auditUser(after),
      });
      return toUserView(after);
    });
  }

  deactivateUser(actor: Principal, id: string): Promise<UserView> {
    return this.updateUser(actor, id, { active: false });
  }

  /**
   * Sets a user's password. Changing one's own password needs the current one; setting another
   * user's is for whoever may administer that user (the route requires the admin role).
   * Ends the user's other sessions.
   */
  async setPassword(
    actor: Principal,
    id: string,
    password: string,
    opts: { currentPassword?: string; keepSessionId?: string } = {},
  ): Promise<void> {
    const self = actor.kind === 'user' && actor.id === id;
    const target = await this.visibleUser(this.db, actor, id);
    // whoever sets another's password can sign in as them: only within the roles one may grant
    if (!self) this.requireManage(actor, target);
    if (self) {
      if (opts.currentPassword === undefined) {
        throw new ValidationError([{ path: 'currentPassword', code: 'required', message: 'Give your current password to change it' }]);
      }
      if (!(await verifyPassword(opts.currentPassword, target.passwordHash))) {
        throw new ValidationError([{ path: 'currentPassword', code: 'wrong_password', message: 'The current password is wrong' }]);
      }
    }
    checkPasswordPolicy(password, { username: target.username });
    const passwordHash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const u = await this.visibleUser(tx, actor, id, true);
      const now = this.clock.now();
      await repo.updateUser(tx, id, { passwordHash, updatedAt: now });
      const ended = await repo.deleteUserSessions(tx, id, self ? opts.keepSessionId : undefined);
      await this.audit(tx, {
        actor,
        action: 'user.password_set',
        entityType: 'user',
        entityId: id,
        country: u.country,
        after: { username: u.username, by: self ? 'self' : 'administrator', sessionsEnded: ended },
      });
    });
  }

  // ---- sessions

  /** Signs in. Unknown user, wrong password and disabled account get the same answer. */
  async login(usernameInput: string, password: string, sourceAddress?: string): Promise<LoginResult> {
    const username = usernameInput.trim().toLowerCase();
    const source = sourceOf(sourceAddress);
    // a locked (username, source) pair or source is refused without looking at the password,
    // and logged once per lockout, so a flood cannot fill the log
    await this.throttle.check(username, source);
    const user = /^[a-z0-9._-]{3,40}$/.test(username) ? await repo.findUserByUsername(this.db, username) : undefined;
    // spend the same time whether or not the user exists
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok || !user.active) {
      const reason = !user ? 'unknown_user' : !ok ? 'wrong_password' : 'account_disabled';
      await this.db.transaction((tx) =>
        this.audit(tx, {
          actor: SYSTEM_PRINCIPAL(user?.country ?? '', 'auth'),
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? username.slice(0, 80),
          country: user?.country ?? null,
          after: { username: username.slice(0, 80), reason, source },
        }),
      );
      await this.noteFailure(username, source, user?.country ?? null);
      throw new UnauthorizedError('Unknown username or wrong password');
    }
    await this.throttle.success(username, source);
    const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: repo.SessionRow = {
      id: uuidv7(now.getTime()),
      tokenHash: sha256Hex(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    };
    await this.db.transaction(async (tx) => {
      await repo.deleteExpiredSessions(tx, user.id, now);
      await repo.insertSession(tx, session);
      await this.audit(tx, {
        actor: userPrincipal(user),
        action: 'auth.login',
        entityType: 'session',
        entityId: session.id,
        country: user.country,
        after: { username: user.username, expiresAt: session.expiresAt.toISOString() },
      });
    });
    return {
      token,
      tokenType: 'Bearer',
      expiresAt: session.expiresAt.toISOString(),
      sessionId: session.id,
      user: toUserView(user),
    };
  }

  async logout(actor: Principal, sessionId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await repo.deleteSession(tx, sessionId))) return;
      await this.audit(tx, { actor, action: 'auth.logout', entityType: 'session', entityId: sessionId });
    });
  }

  /** A session token's principal, or null when unknown, expired or its user disabled. */
  async resolveSession(token: string): Promise<ResolvedCredential | null> {
    if (!SESSION_TOKEN_RE.test(token)) return null;
    const r = await repo.findSessionWithUser(this.db, sha256Hex(token));
    if (!r || !r.user.active || r.session.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    return { principal: userPrincipal(r.user), sessionId: r.session.id };
  }

  // ---- API keys

  /** Makes an API key. The full key is in the answer only: store it now, it cannot be shown again. */
  async createApiKey(actor: Principal, input: CreateApiKeyInput): Promise<{ key: string; apiKey: ApiKeyView }> {
    const v = parse(createApiKeyBody, input);
    const problem = keyRoleProblem(v.role);
    if (problem) throw new ValidationError([{ path: 'role', code: 'not_a_key_role', message: problem }], `role: ${problem}`);
    requireServed(this.served, v.country, 'country', 'API keys');
    requireGrant(actor, v.role, v.country, 'apiKeys.manage');
    for (let attempt = 0; ; attempt++) {
      const prefix = randomBytes(4).toString('hex');
      const key = `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}`;
      const now = this.clock.now();
      const row: repo.ApiKeyRow = {
        id: uuidv7(now.getTime()),
        name: v.name,
        prefix,
        keyHash: sha256Hex(key),
        role: v.role,
        country: v.country,
        createdBy: `${actor.kind}:${actor.name}`,
        createdAt: now,
        revokedAt: null,
      };
      try {
        await this.db.transaction(async (tx) => {
          if (await repo.findApiKeyByPrefix(tx, prefix)) throw Object.assign(new Error('prefix taken'), { code: '23505' });
          await repo.insertApiKey(tx, row);
          await this.audit(tx, {
            actor,
            action: 'api_key.created',
            entityType: 'api_key',
            entityId: row.id,
            country: row.country,
            after: auditKey(row),
          });
        });
        return { key, apiKey: toApiKeyView(row) };
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 4) throw e;
      }
    }
  }

  async listApiKeys(actor: Principal, opts: { includeRevoked?: boolean; country?: string } = {}): Promise<ApiKeyView[]> {
    if (opts.country) requireAdministration(actor, 'apiKeys.manage', opts.country);
    const rows = await repo.listApiKeys(this.db, {
      country: reachesAll(actor, 'apiKeys.manage') ? opts.country : (opts.country ?? actor.country),
      includeRevoked: opts.includeRevoked ?? false,
    });
    return rows.map(toApiKeyView);
  }

  async revokeApiKey(actor: Principal, id: string): Promise<ApiKeyView> {
    return this.db.transaction(async (tx) => {
      const k = await repo.findApiKeyById(tx, id);
      if (!k || !mayActOn(actor, 'apiKeys.manage', k.country)) throw new NotFoundError(`API key ${id}`);
      if (k.revokedAt) return toApiKeyView(k);
      const revokedAt = this.clock.now();
      await repo.revokeApiKey(tx, id, revokedAt);
      const after = { ...k, revokedAt };
      await this.audit(tx, {
        actor,
        action: 'api_key.revoked',
        entityType: 'api_key',
        entityId: id,
        country: k.country,
        before: auditKey(k),
        after: auditKey(after),
      });
      return toApiKeyView(after);
    });
  }

  /** An API key's principal, or null when malformed, unknown or revoked. */
  async resolveApiKey(key: string): Promise<Principal | null> {
    const m = API_KEY_RE.exec(key);
    if (!m) return null;
    const row = await repo.findApiKeyByPrefix(this.db, m[1]);
    if (!row || !sameHash(sha256Hex(key), row.keyHash) || row.revokedAt) return null;
    return { kind: 'api_key', id: row.id, name: row.name, role: row.role as Role, country: row.country };
  }

  /** A bearer credential of either kind. */
  async resolveToken(token: string): Promise<ResolvedCredential | null> {
    if (token.startsWith(API_KEY_PREFIX)) {
      const principal = await this.resolveApiKey(token);
      return principal ? { principal } : null;
    }
    return this.resolveSession(token);
  }

  // ---- audit log

  /** Newest first, scoped to the actor's administration; `nextCursor` fetches the next page. */
  async listAudit(
    actor: Principal,
    query: z.input<typeof auditQuery> & { country?: string },
  ): Promise<{ items: AuditEntryView[]; nextCursor: number | null }> {
    const q = parse(auditQuery, query);
    if (query.country) requireAdministration(actor, 'audit.read', query.country);
    const rows = await repo.listAudit(this.db, {
      country: reachesAll(actor, 'audit.read') ? query.country : (query.country ?? actor.country),
      entityType: q.entityType,
      entityId: q.entityId,
      actor: q.actor,
      action: q.action,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      beforeSeq: q.cursor,
      limit: q.limit + 1,
    });
    const more = rows.length > q.limit;
    const items = (more ? rows.slice(0, q.limit) : rows).map(toAuditView);
    return { items, nextCursor: more ? items[items.length - 1].seq : null };
  }
}

export function createAccessService(deps: AccessDeps): AccessService {
  return new AccessService(deps);
}

// ---- demo

const DEMO_ROLES: ReadonlyArray<[suffix: string, role: Role]> = [
  ['admin', 'admin'],
  ['analyst', 'risk_analyst'],
  ['analyst2', 'risk_analyst'],
  ['officer1', 'officer'],
  ['officer2', 'officer'],
  ['officer3', 'officer'],
  ['supervisor', 'supervisor'],
  ['auditor', 'auditor'],
  ['manager', 'manager'],
  ['regional', 'regional_analyst'],
];

const DEMO_DISPLAY: Record<string, string> = {
  admin: 'Administrador',
  analyst: 'Analista de riesgo',
  analyst2: 'Analista de riesgo 2',
  officer1: 'Oficial 1',
  officer2: 'Oficial 2',
  officer3: 'Oficial 3',
  supervisor: 'Supervisor',
  auditor: 'Auditor',
  manager: 'Gerente',
  regional: 'Analista regional',
};

/**
 * For the demo only: the accounts `<cc>.admin`, `<cc>.analyst`, … of every administration, with
 * the password `centinela-demo`, made when missing. Outside the demo there are no default
 * accounts (the first admin is made with `centinela users add`).
 */
export async function ensureDemoUsers(
  deps: AccessDeps,
  countries: readonly string[] = servedAdministrations(deps.config),
): Promise<DemoAccount[]> {
  const wanted = countries.flatMap((cc) =>
    DEMO_ROLES.map(([suffix, role]) => ({
      username: `${cc.toLowerCase()}.${suffix}`,
      displayName: `${DEMO_DISPLAY[suffix]} ${cc}`,
      role,
      country: cc,
    })),
  );
  const existing = new Set(
    (
      await deps.db
        .select({ username: schema.users.username })
        .from(schema.users)
        .where(inArray(schema.users.username, wanted.map((w) => w.username)))
    ).map((r) => r.username),
  );
  const missing = wanted.filter((w) => !existing.has(w.username));
  if (missing.length) {
    // one hash for all: the demo password is public anyway, and this keeps start-up fast
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const now = deps.clock.now();
    const rows: repo.UserRow[] = missing.map((w) => ({
      id: uuidv7(now.getTime()),
      ...w,
      passwordHash,
      active: true,
      createdAt: now,
      updatedAt: now,
    }));
    await deps.db.transaction(async (tx) => {
      const inserted = new Set(
        (
          await tx
            .insert(schema.users)
            .values(rows)
            .onConflictDoNothing({ target: schema.users.username })
            .returning({ id: schema.users.id })
        ).map((r) => r.id),
      );
      await appendAudit(
        tx,
        rows.filter((r) => inserted.has(r.id)).map((r) => ({
          actor: SYSTEM_PRINCIPAL(r.country, 'demo'),
          action: 'user.created',
          entityType: 'user',
          entityId: r.id,
          country: r.country,
          after: auditUser(r),
        })),
        deps.clock,
      );
    });
  }
  return wanted.map((w) => ({ username: w.username, role: w.role, country: w.country, created: !existing.has(w.username) }));
}
