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
    const where = (err as any).validationContext as string | undefined;
    const errors: FieldError[] = err.validation.map((v) => {
      const path = pointerToPath(v.instancePath ?? '');
      const params = (v.params ?? {}) as { issue?: { code?: string; keys?: string[] } };
      return { path: where && where !== 'body' ? `${where}.${path}`.replace(/\.$/, '') : path, code: params.issue?.code ?? v.keyword ?? 'invalid', message: v.message ?? 'is invalid' };
    });
    return send(400, {
      type: 'https://centinela.dev/problems/validation',
      title: 'Invalid input',
      detail: `${errors.length} field(s) at fault: ${errors.map((e) => e.path || '(root)').join(', ')}`,
      errors,
    });
  }

  if (isResponseSerializationError(err)) {
    req.log.error({ err }, 'response did not match its schema');
    return send(500, { type: 'https://centinela.dev/problems/internal', title: 'Internal error', detail: 'The server produced an invalid response; it has been logged.' });
  }

  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const detail =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? `The body is not valid JSON: ${err.message}`
        : err.message;
    return send(fe.statusCode, { type: `https://centinela.dev/problems/${(fe.code ?? 'bad-request').toLowerCase()}`, title: titleFor(fe.statusCode), detail, errors: fe.statusCode === 400 ? [{ path: '', code: 'invalid_body', message: detail }] : undefined });
  }

  req.log.error({ err }, 'unhandled error');
  return send(500, { type: 'https://centinela.dev/problems/internal', title: 'Internal error', detail: 'Something went wrong on the server; it has been logged.' });
}

function titleFor(status: number): string {
  return (
    { 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable', 413: 'Payload too large', 415: 'Unsupported media type', 429: 'Too many requests' } as Record<number, string>
  )[status] ?? 'Client error';
}
