import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.ts';
import type { App } from '../../server/deps.ts';
import { API_KEY_PREFIX, createAccessService, type AccessDeps, type AccessService } from './service.ts';
import type { Principal, Role } from './types.ts';
import { allows, refusalError, rolesFor, type Action } from './policy.ts';

export { requireCountry, inScope } from './scope.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the route needs no credentials (health, login, docs) */
    public?: boolean;
  }
}

/** Routes under /api/ that answer without credentials. */
export const PUBLIC_ROUTES: readonly string[] = ['/api/v1/health', '/api/v1/auth/login', '/api/openapi.json'];

export function isPublicRoute(url: string, config?: { public?: boolean }): boolean {
  return (
    config?.public === true ||
    PUBLIC_ROUTES.includes(url) ||
    url === '/api/docs' ||
    url.startsWith('/api/docs/') ||
    url.startsWith('/api/docs*')
  );
}

const ROLE_CHECK = Symbol.for('centinela.requireRole');

type RoleCheck = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  [ROLE_CHECK]: readonly Role[];
};

/**
 * A preHandler that lets through only the given roles: 401 when nobody is signed in,
 * 403 when the caller's role is not among them. Superseded by `authorize(action)`, which asks the
 * policy (policy.ts); the authorization matrix (test/authz-matrix.test.ts) refuses routes guarded
 * by a bare role list.
 */
export function requireRole(...roles: Role[]): RoleCheck {
  if (roles.length === 0) throw new Error('requireRole needs at least one role');
  const check = async (request: FastifyRequest) => {
    const p = request.principal;
    if (!p) throw new UnauthorizedError();
    if (!roles.includes(p.role)) {
      throw new ForbiddenError(`This needs one of the roles ${roles.join(', ')}; you have the role ${p.role}`);
    }
  };
  return Object.assign(check, { [ROLE_CHECK]: roles });
}

const ACTION = Symbol.for('centinela.authorize');

/**
 * THE route guard: lets through only principals the policy (policy.ts) allows `action`, whatever
 * administration; the handler or service then checks the administration of what is asked or
 * fetched (`administrationFor`, `requireVisible`). 401 when nobody is signed in, 403 otherwise.
 */
export function authorize(action: Action): RoleCheck {
  const check = async (request: FastifyRequest) => {
    const p = request.principal;
    if (!p) throw new UnauthorizedError();
    if (!allows(p, action)) throw refusalError(p, action);
  };
  return Object.assign(check, { [ROLE_CHECK]: rolesFor(action), [ACTION]: action });
}

function preHandlersOf(route: Pick<RouteOptions, 'preHandler'>): unknown[] {
  return route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
}

/** The policy action a route is guarded by (`authorize(action)`), if any. */
export function actionOf(route: Pick<RouteOptions, 'preHandler'>): Action | undefined {
  for (const h of preHandlersOf(route)) {
    const a = (h as { [ACTION]?: Action })[ACTION];
    if (a) return a;
  }
  return undefined;
}

export interface RouteGuard {
  method: string;
  url: string;
  public: boolean;
  /** the policy action, when guarded by `authorize` */
  action?: Action;
  /** the roles let through, when guarded by `authorize` or `requireRole` */
  roles?: readonly Role[];
}

const routeTables = new WeakMap<object, RouteGuard[]>();

/** Every route under /api/ registered after `registerAuth`, with how it is guarded (for the authorization matrix). */
export function routeGuards(app: FastifyInstance): RouteGuard[] {
  return [...(routeTables.get(app) ?? [])];
}

/** The roles a route allows, when it has a `requireRole` preHandler. */
export function rolesOf(route: Pick<RouteOptions, 'preHandler'>): readonly Role[] | undefined {
  const hs = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
  for (const h of hs) {
    const roles = (h as Partial<RoleCheck>)[ROLE_CHECK];
    if (roles) return roles;
  }
  return undefined;
}

const sessionIds = new WeakMap<FastifyRequest, string>();
const unguarded = new WeakMap<object, string[]>();

/** The session a request was made with (absent for API keys). */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  return sessionIds.get(request);
}

/**
 * Non-public routes under /api/ registered without `requireRole`: they only need a signed-in
 * caller. Meant for a test asserting there are none.
 */
export function unguardedRoutes(app: FastifyInstance): string[] {
  return [...(unguarded.get(app) ?? [])];
}

/** The credential a request carries: `Authorization: Bearer …` or `X-API-Key: ck_…`. */
export function credentialOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new UnauthorizedError('The Authorization header must be "Bearer <token>"');
    return m[1];
  }
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key) {
    if (!key.startsWith(API_KEY_PREFIX)) throw new UnauthorizedError('X-API-Key must carry an API key (ck_…)');
    return key;
  }
  return undefined;
}

/**
 * Authentication for every route under /api/: resolves the bearer session token or API key into
 * `request.principal`, and answers 401 to a request without valid credentials (except the public
 * routes). Call it on the root instance, before the routes are registered (it also notes routes
 * registered without `requireRole`, and warns about them).
 */
export function registerAuth(app: App, deps: AccessDeps, service: AccessService = createAccessService(deps)): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  const list: string[] = [];
  unguarded.set(app, list);
  const table: RouteGuard[] = [];
  routeTables.set(app, table);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.every((m) => m === 'HEAD'))) return;
    const pub = isPublicRoute(route.url, route.config as { public?: boolean });
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) {
      if (m !== 'HEAD') table.push({ method: m, url: route.url, public: pub, action: actionOf(route), roles: rolesOf(route) });
    }
    // the policy is asked before the body and query are validated: who may not call a route learns nothing of its input rules
    const action = actionOf(route);
    if (action) {
      const pre = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
      route.preValidation = [authorize(action), ...pre] as typeof route.preValidation;
    }
    if (pub) return;
    if (!action && rolesOf(route)) {
      app.log.warn(`route ${route.method} ${route.url} is guarded by a bare role list: guard it with authorize(action) from the policy (policy.ts)`);
    }
    if (!rolesOf(route)) {
      const name = `${Array.isArray(route.method) ? route.method.join(',') : route.method} ${route.url}`;
      list.push(name);
      app.log.warn(`route ${name} has no requireRole(...): any signed-in caller may use it`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (!url || !url.startsWith('/api/')) return;
    if (isPublicRoute(url, request.routeOptions.config as { public?: boolean })) return;
    const deny = (e: UnauthorizedError) => {
      reply.header('www-authenticate', 'Bearer realm="centinela"');
      return e;
    };
    let token: string | undefined;
    try {
      token = credentialOf(request);
    } catch (e) {
      throw deny(e as UnauthorizedError);
    }
    if (!token) throw deny(new UnauthorizedError());
    const r = await service.resolveToken(token);
    if (!r) {
      throw deny(new UnauthorizedError(
        token.startsWith(API_KEY_PREFIX)
          ? 'The API key is unknown or revoked'
          : 'The session is unknown or expired: sign in again',
      ));
    }
    request.principal = r.principal;
    if (r.sessionId) sessionIds.set(request, r.sessionId);
  });
}

/** For handlers behind `requireRole`: the principal, which the preHandler has made sure exists. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
