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
