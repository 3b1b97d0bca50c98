import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, TooManyRequestsError, type FieldError } from '../core/errors.ts';

/** `/items/0/hsCode` -> `items[0].hsCode` */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** Every error leaves as problem+json (RFC 9457); internals are logged, never sent. */
export function problemErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const send = (status: number, body: Record<string, unknown>) =>
    reply.code(status).type('application/problem+json').send({ ...body, status, instance: req.url });

  if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
  if (err instanceof AppError) return send(err.status, err.toProblem());

  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext;
    const at = (path: string) => (where && where !== 'body' ? `${where}.${path}`.replace(/\.$/, '') : path);
    const errors: FieldError[] = err.validation.flatMap((v) => {
      const path = pointerToPath(v.instancePath ?? '');
      const params = (v.params ?? {}) as { keys?: string[]; issue?: { code?: string; keys?: string[] } };
      // unknown keys are named one by one, each at its own path
      const keys = params.issue?.keys ?? params.keys;
      if ((params.issue?.code ?? v.keyword) === 'unrecognized_keys' && keys?.length) {
        return keys.map((k) => ({ path: at(path ? `${path}.${k}` : k), code: 'unknown_field', message: 'is not a field this accepts' }));
      }
      return [{ path: at(path), code: params.issue?.code ?? v.keyword ?? 'invalid', message: v.message ?? 'is invalid' }];
    });
    return send(400, {
      type: 'https://centinela.dev/problems/validation',
      title: 'Invalid input',
      detail: `${errors.length} field(s) at fault: ${errors.map((e) => e.path || '(root)').join(', ')}`,
      errors,
    });
  }

  if (isResponseSerializationError(err)) return internal(err, req, send, 'response did not match its schema');

  // text PostgreSQL cannot store that slipped past the edge: the caller's fault, said without SQL
  const pgCode = (err as { code?: unknown }).code;
  if (pgCode === '22P05' || pgCode === '22021' || (pgCode === '22P02' && /unicode|surrogate|escape/i.test(err.message))) {
    req.log.warn({ err }, 'text the database cannot store');
    const detail = 'The request holds text the database cannot store (a NUL character or broken Unicode)';
    return send(400, { type: 'https://centinela.dev/problems/validation', title: 'Invalid input', detail, errors: [{ path: '', code: 'invalid_text', message: detail }] });
  }

  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const detail =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? `The body is not valid JSON: ${err.message}`
        : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `The request body is larger than ${req.routeOptions.url ?? 'this route'} accepts${req.routeOptions.bodyLimit && !req.routeOptions.url?.endsWith('/import') ? ` (at most ${req.routeOptions.bodyLimit} bytes)` : ''}; it was refused before being read`
          : err.message;
    return send(fe.statusCode, { type: `https://centinela.dev/problems/${(fe.code ?? 'bad-request').toLowerCase()}`, title: titleFor(fe.statusCode), detail, errors: fe.statusCode === 400 ? [{ path: '', code: 'invalid_body', message: detail }] : undefined });
  }

  return internal(err, req, send, 'unhandled error');
}

/**
 * A 500 never carries SQL, parameters, a stack or an error message: a generic detail and an
 * incident id, under which the details are logged (give the id to whoever reads the logs).
 */
function internal(err: Error, req: FastifyRequest, send: (status: number, body: Record<string, unknown>) => FastifyReply, what: string) {
  const incident = randomUUID();
  req.log.error({ err, incident, method: req.method, url: req.url }, what);
  return send(500, {
    type: 'https://centinela.dev/problems/internal',
    title: 'Internal error',
    detail: `Something went wrong on the server; it has been logged as incident ${incident}.`,
    incident,
  });
}

function titleFor(status: number): string {
  return (
    { 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable', 413: 'Payload too large', 415: 'Unsupported media type', 429: 'Too many requests' } as Record<number, string>
  )[status] ?? 'Client error';
}
