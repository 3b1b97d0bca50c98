import { ForbiddenError } from '../../core/errors.ts';
import type { Principal } from './types.ts';

/*
 * The narrowest scoping: one's own administration (Centinela itself: all). Services use it where
 * the policy (policy.ts) gives every role of an action the reach `own`; where some role reaches
 * further (a regional analyst reading declarations), ask the policy: `mayActOn(principal, action,
 * country)`, `administrationsFor(principal, action)`.
 */

/** Centinela itself (CLI, demo seeding, internal jobs) acts on every administration. */
export function actsOnAllCountries(principal: Principal): boolean {
  return principal.kind === 'system';
}

/** May this principal see or touch records of `country`? */
export function inScope(principal: Principal, country: string | null | undefined): boolean {
  return actsOnAllCountries(principal) || (country != null && principal.country === country);
}

/**
 * Throws a ForbiddenError naming `field` unless the principal is scoped to `country`.
 * Use it on values the caller chose (a body's `country`); for records looked up by id,
 * answer 404 instead so as not to reveal what other administrations hold.
 */
export function requireCountry(principal: Principal, country: string, field = 'country'): void {
  if (!inScope(principal, country)) {
    throw new ForbiddenError(
      `${field}: you act for administration ${principal.country} and may not act on ${country}`,
    );
  }
}
