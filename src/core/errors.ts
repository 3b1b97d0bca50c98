/**
 * Errors answered as problem+json (RFC 9457). Every field at fault is named by its path.
 */
export interface FieldError {
  /** JSON path of the field, e.g. `items[2].hsCode` */
  path: string;
  /** machine-readable code, e.g. `unknown_hs_code` */
  code: string;
  /** what is wrong, in plain words */
  message: string;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly type: string,
    public readonly title: string,
    message?: string,
    public readonly errors: FieldError[] = [],
  ) {
    super(message ?? title);
  }

  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: `https://centinela.dev/problems/${this.type}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors.length ? { errors: this.errors } : {}),
    };
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail?: string) {
    super(
      400,
      'validation',
      'Invalid input',
      detail ?? `${errors.length} field(s) at fault: ${errors.map((e) => e.path || '(root)').join(', ')}`,
      errors,
    );
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not-found', 'Not found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}

/** Too many attempts: the answer says when to try again (and the HTTP layer sets Retry-After). */
export class TooManyRequestsError extends AppError {
  constructor(
    detail: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(429, 'too-many-requests', 'Too many requests', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication required: send a bearer token or an API key') {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'Your role does not allow this') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/** Turns a path array (as zod gives it) into `items[2].hsCode`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

// ---------------------------------------------------------------- text PostgreSQL cannot store

/**
 * C0 control characters other than tab, line feed and carriage return (U+0000 cannot be stored by
 * PostgreSQL at all, the others have no place in customs data), and UTF-16 halves without their
 * other half (jsonb refuses them).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BAD_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badTextMessage(s: string): { code: string; message: string } {
  const m = BAD_TEXT.exec(s)!;
  const c = m[0].charCodeAt(0);
  if (c >= 0xd800) return { code: 'invalid_unicode', message: 'holds broken Unicode (half of a surrogate pair), which cannot be stored' };
  return { code: 'control_character', message: `holds the control character U+${c.toString(16).toUpperCase().padStart(4, '0')} at position ${m.index + 1}; only tab, line feed and carriage return are allowed` };
}

/** True when a string holds a character `textErrors` refuses. */
export const hasBadText = (s: string): boolean => BAD_TEXT.test(s);

/**
 * Every string (value or key) in a parsed JSON value holding a character PostgreSQL cannot store,
 * named by its path (`items[0].description`, or `prefix.name` for a query parameter). Walks
 * without recursion (any nesting depth), and stops after `max` errors.
 */
export function textErrors(value: unknown, prefix: PropertyKey[] = [], max = 20): FieldError[] {
  const out: FieldError[] = [];
  const stack: [unknown, PropertyKey[]][] = [[value, prefix]];
  while (stack.length && out.length < max) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (BAD_TEXT.test(v)) out.push({ path: formatPath(path), ...badTextMessage(v) });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        if (BAD_TEXT.test(k)) {
          const safe = k.replace(new RegExp(BAD_TEXT.source, 'g'), '\uFFFD');
          out.push({ path: formatPath([...path, safe]), code: 'invalid_field_name', message: `the field name ${badTextMessage(k).message}` });
          continue;
        }
        stack.push([(v as Record<string, unknown>)[k], [...path, k]]);
      }
    }
  }
  return out;
}
