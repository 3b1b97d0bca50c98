/**
 * The edge of the HTTP API: what every request meets before a route sees it, and what every
 * answer carries.
 *
 * - body size per route, refused BEFORE it is read or parsed (Fastify checks Content-Length
 *   against the route's `bodyLimit` first, and counts bytes of a chunked body as they come);
 * - time limits: headers (node's `headersTimeout`), a whole request (`requestTimeout`), and a
 *   short deadline for the body of small routes (sign-in and the like), so that a client
 *   trickling a body keeps no connection open;
 * - text PostgreSQL cannot store (U+0000, other C0 controls but tab / CR / LF, broken Unicode)
 *   refused with a 400 naming the field, in the body, the query string or the path;
 * - security headers on every answer; `Cache-Control: no-store` on the API.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { textErrors, ValidationError } from '../core/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** set by the edge: the route takes a small body, which must arrive within the short deadline */
    smallBody?: boolean;
  }
}

export interface EdgeLimits {
  /** the whole request line and headers must arrive within this (node's headersTimeout) */
  headersTimeoutMs: number;
  /** the whole request, body included, must arrive within this (node's requestTimeout; imports are large) */
  requestTimeoutMs: number;
  /** the body of a route taking a small body (at most SMALL_BODY) must arrive within this */
  smallBodyTimeoutMs: number;
  /** a connection sending and receiving nothing is closed after this (0: never; a long backtest is not idle traffic) */
  idleTimeoutMs: number;
  /** how often node looks for requests past their headers or request timeout */
  checkIntervalMs: number;
}

const num = (env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number of milliseconds of at least ${min}, got "${raw}"`);
  return v;
};

/**
 * The limits, from the environment: CENTINELA_HEADERS_TIMEOUT_MS (default 10 s),
 * CENTINELA_REQUEST_TIMEOUT_MS (default 300 s: a 256 MB import over a slow line),
 * CENTINELA_BODY_TIMEOUT_MS (default 10 s, small routes), CENTINELA_IDLE_TIMEOUT_MS (default 0).
 */
export function edgeLimits(env: NodeJS.ProcessEnv = process.env): EdgeLimits {
  const headersTimeoutMs = num(env, 'CENTINELA_HEADERS_TIMEOUT_MS', 10_000, 100);
  const requestTimeoutMs = Math.max(headersTimeoutMs, num(env, 'CENTINELA_REQUEST_TIMEOUT_MS', 300_000, 100));
  const smallBodyTimeoutMs = num(env, 'CENTINELA_BODY_TIMEOUT_MS', 10_000, 50);
  const idleTimeoutMs = num(env, 'CENTINELA_IDLE_TIMEOUT_MS', 0, 0);
  const checkIntervalMs = Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4)));
  return { headersTimeoutMs, requestTimeoutMs, smallBodyTimeoutMs, idleTimeoutMs, checkIntervalMs };
}

/** The Fastify server options that carry the limits. */
export function serverOptions(l: EdgeLimits): { requestTimeout: number; connectionTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    http: { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: l.checkIntervalMs },
  };
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** the default for JSON sent to routes not named below (settings, criteria, users, controls…) */
export const SMALL_BODY = 64 * KiB;
/** the limit of every JSON parser (and so of JSON sent to an import route) */
export const JSON_BODY = 2 * MiB;

/**
 * Per route. Import routes are not listed: their bodies are read by the import content-type
 * parsers (256 MB), and JSON sent to them meets the JSON parser's limit.
 */
export const BODY_LIMITS: Record<string, number> = {
  '/api/v1/auth/login': 4 * KiB,
  '/api/v1/declarations': JSON_BODY,
  '/api/v1/manifests': JSON_BODY,
  '/api/v1/transit/movements': JSON_BODY,
  '/api/v1/transit/events': JSON_BODY,
};
const PARSER_LIMITED = new Set(['/api/v1/declarations/import', '/api/v1/manifests/import', '/api/v1/transit/events/import']);

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * A Content-Security-Policy for pages made only of Centinela's own files: nothing inline but styles, no
 * other origin ever contacted, never framed. `images` adds sources for images (the web app draws blobs).
 */
export function selfOnlyCsp(images: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    ["img-src 'self' data:", ...images].join(' '),
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The Content-Security-Policy of the API docs (swagger-ui): its scripts and styles are files of its own, none inline. */
export const DOCS_CSP = selfOnlyCsp();

export function registerEdge(app: FastifyInstance, limits: EdgeLimits): void {
  // ---- body size per route, set as each route is registered
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.bodyLimit !== undefined || PARSER_LIMITED.has(route.url)) return;
    route.bodyLimit = BODY_LIMITS[route.url] ?? SMALL_BODY;
    if (route.bodyLimit <= SMALL_BODY) {
      // the deadline is looked up per request from the route's config
      route.config = { ...route.config, smallBody: true };
    }
  });

  // ---- the body of a small route must arrive within smallBodyTimeoutMs: a trickle is cut off
  app.addHook('preParsing', async (req, reply, payload) => {
    if (!req.routeOptions.config?.smallBody) return payload;
    const len = req.headers['content-length'];
    if (len === '0' || (len === undefined && req.headers['transfer-encoding'] === undefined)) return payload;
    const timer = setTimeout(() => {
      req.log.warn({ url: req.url, ip: req.ip }, 'request body not received in time: connection closed');
      const socket = req.raw.socket as { destroy?: () => void } | undefined;
      if (typeof socket?.destroy === 'function') socket.destroy();
      else req.raw.destroy();
    }, limits.smallBodyTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    payload.once('end', clear);
    payload.once('close', clear);
    payload.once('error', clear);
    // answered before the body was read (e.g. 413): nothing left to wait for
    reply.raw.once('finish', clear);
    reply.raw.once('close', clear);
    return payload;
  });

  // ---- text PostgreSQL cannot store, refused once here for every route
  app.addHook('preValidation', async (req) => {
    const errors = [
      ...textErrors(req.params, ['params']),
      ...textErrors(req.query, ['querystring']),
      ...(req.body !== null && typeof req.body === 'object' ? textErrors(req.body) : []),
    ];
    if (errors.length) throw new ValidationError(errors);
  });

  // ---- headers on every answer
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    const url = req.url.split('?')[0];
    if (url === '/api' || url.startsWith('/api/')) {
      const docs = url === '/api/docs' || url.startsWith('/api/docs/');
      if (docs) reply.header('content-security-policy', DOCS_CSP);
      // the API's answers are personal and current: never stored by a browser or a proxy
      // (the docs' static files may be cached; the web app's hashed assets are, see web.ts)
      if (!url.startsWith('/api/docs/static/')) reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
