/**
 * The node model: a deployment serves some administrations (`CENTINELA_ADMINISTRATIONS`) and its
 * database holds only their records, plus what partners sent it over the regional exchange. A
 * request that would store a record of another administration is refused, naming the field, with
 * where that record belongs.
 */
import { ValidationError, type FieldError } from '../../core/errors.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';

/** The administrations a node serves (all seven when not configured, as the single-node demo). */
export function servedAdministrations(config: { administrations?: readonly string[] } | undefined): readonly string[] {
  return config?.administrations?.length ? config.administrations : ADMINISTRATIONS;
}

/** null when `country` is served here; else the field error to answer (code `not_served_here`). */
export function notServedHere(served: readonly string[], country: string, path = 'country', what = 'records'): FieldError | null {
  if (served.includes(country)) return null;
  return {
    path,
    code: 'not_served_here',
    message: `this node serves ${served.join(', ')}; ${country}'s ${what} live on ${country}'s node (partners' data arrives only through the regional exchange)`,
  };
}

/** Throws a 400 naming `path` unless `country` is served here. */
export function requireServed(served: readonly string[], country: string, path = 'country', what = 'records'): void {
  const e = notServedHere(served, country, path, what);
  if (e) throw new ValidationError([e], `${e.path}: ${e.message}`);
}
