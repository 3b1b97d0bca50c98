import type { z } from 'zod';
import { formatPath, type FieldError } from '../../core/errors.ts';

/** Turns zod issues into field errors named by path (`items[2].hsCode`). */
export function toFieldErrors(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: formatPath([...path, k]), code: 'unknown_field', message: 'is not a field of this record' });
      continue;
    }
    const code = (issue as { params?: { code?: string } }).params?.code ?? zodCode(issue);
    out.push({ path: formatPath(path), code, message: plainMessage(issue) });
  }
  return out;
}

function zodCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return (issue as { input?: unknown }).input === undefined ? 'required' : 'invalid_type';
    case 'too_small':
      return 'too_small';
    case 'too_big':
      return 'too_big';
    case 'invalid_format':
      return 'invalid_format';
    case 'invalid_value':
      return 'invalid_value';
    default:
      return issue.code;
  }
}

function plainMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined) return 'is required';
    return `must be ${article(issue.expected)}, got ${describe(input)}`;
  }
  return issue.message;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `text "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return typeof v;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: toFieldErrors(r.error) };
}
