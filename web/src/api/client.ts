/** The HTTP client: bearer token from the session, problem+json errors as ApiError. */

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; rawPath?: string; code?: string; message: string }[];
}

/**
 * One spelling for the path of a field at fault, whatever the server wrote: `discrepancies[0].note`
 * (the API's problem+json), `/discrepancies/0/note` (a JSON pointer) and `discrepancies.0.note` all
 * become `discrepancies.0.note`. Forms look their fields up through this, so they match either shape.
 */
export function fieldPath(path: string | number | readonly (string | number)[] | null | undefined): string {
  if (path === null || path === undefined) return '';
  if (Array.isArray(path)) return path.map(String).join('.');
  let p = String(path).trim();
  if (p.startsWith('/')) p = p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  return p
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[["']([^"'\]]*)["']\]/g, '.$1')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.|\.$/g, '');
}

/** The first message for each field at fault, keyed by `fieldPath`; look a field up with `fieldError`. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError) for (const e of error.problem.errors ?? []) out[fieldPath(e.path)] ??= e.message;
  return out;
}

/** The message for a field (any spelling of its path) in what `fieldErrors` answered. */
export function fieldError(errors: Record<string, string>, path: string): string | undefined {
  return errors[fieldPath(path)];
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(
    readonly status: number,
    problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    // every field path in one spelling (see fieldPath), the server's as it came in `rawPath`
    this.problem = Array.isArray(problem.errors)
      ? { ...problem, errors: problem.errors.map((e) => ({ ...e, rawPath: e.path, path: fieldPath(e.path) })) }
      : problem;
  }
  /** the text to show a person: the problem's detail, and each field at fault */
  get detail(): string {
    const fields = (this.problem.errors ?? []).map((e) => `${e.path}: ${e.message}`);
    return [this.problem.detail || this.problem.title || `HTTP ${this.status}`, ...fields].join(' — ');
  }
}

/** No answer at all (server down, network gone). */
export class NetworkError extends Error {}

const TOKEN_KEY = 'centinela.session';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: string;
  country: string;
}

export interface StoredSession {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export function loadSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredSession;
    if (!s.token || Date.parse(s.expiresAt) < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function storeSession(s: StoredSession | null): void {
  try {
    if (s) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage may be disabled: the session then lasts as long as the page */
  }
}

let unauthorizedHandler: (() => void) | null = null;
/** Called when the server answers 401 to a signed-in request: the session is over. */
export function onUnauthorized(f: (() => void) | null): void {
  unauthorizedHandler = f;
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; token?: string | null } = {}): Promise<T> {
  const token = init.token === undefined ? loadSession()?.token : init.token;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: init.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new NetworkError((e as Error).message);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { detail: text.slice(0, 300) };
  }
  if (!res.ok) {
    if (res.status === 401 && token && unauthorizedHandler) unauthorizedHandler();
    throw new ApiError(res.status, (body as Problem) ?? { status: res.status });
  }
  return body as T;
}
