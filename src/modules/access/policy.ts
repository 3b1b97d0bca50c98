/**
 * Who may do what, where: THE authorization policy of Centinela, written once.
 *
 * role × action → the administrations the action reaches: `own` (the principal's administration)
 * or `region` (every administration). Routes guard themselves with `authorize(action)` (auth.ts),
 * services and the CLI ask `mayActOn` / `administrationsFor` / `mayGrant`, and the authorization
 * matrix test (test/authz-matrix.test.ts) checks every route against this table.
 *
 * Three further rules sit beside the table:
 * - an API key is a credential with no person behind it: it never carries an action marked
 *   `person` (approvals, four-eyes decisions, managing accounts and keys), whatever its role,
 *   and it may only be made with one of KEY_ROLES;
 * - a user grants only roles within their own scope: a national admin grants national roles in
 *   their own administration; only a regional admin grants regional roles (the first regional
 *   admin is made with the CLI on the host, which acts as Centinela itself);
 * - Centinela itself (the `system` principal: CLI, demo seeding, internal jobs) acts on every
 *   administration.
 */
import { ForbiddenError, NotFoundError, type FieldError } from '../../core/errors.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import type { Principal, Role } from './types.ts';

export type Reach = 'own' | 'region';

interface ActionDef {
  /** what the action is, for people reading the policy and the OpenAPI document */
  summary: string;
  /** the roles allowed, each with how far it reaches */
  roles: Partial<Record<Role, Reach>>;
  /** needs a person: never through an API key (approvals, account and key management) */
  person?: boolean;
}

const NATIONAL_READERS = { admin: 'own', risk_analyst: 'own', officer: 'own', supervisor: 'own', auditor: 'own', manager: 'own' } as const;

/** The policy. Add an action here, then guard its route with `authorize('the.action')`. */
export const POLICY = {
  // ---- access
  'auth.session': { summary: 'sign out of one\'s own session', roles: { ...NATIONAL_READERS, regional_analyst: 'own', regional_admin: 'own', tax_liaison: 'own' }, person: true },
  'auth.me': { summary: 'who the credentials belong to', roles: { ...NATIONAL_READERS, regional_analyst: 'own', regional_admin: 'own', system: 'own', tax_liaison: 'own' } },
  'users.password': { summary: 'change one\'s own password (another user\'s needs users.manage)', roles: { ...NATIONAL_READERS, regional_analyst: 'own', regional_admin: 'own', tax_liaison: 'own' }, person: true },
  'auth.locks.lift': { summary: 'lift the sign-in locks of a user', roles: { admin: 'own', regional_admin: 'region' }, person: true },
  'users.read': { summary: 'list and read user accounts', roles: { admin: 'own', regional_admin: 'region' }, person: true },
  'users.manage': { summary: 'create users, change their role, name, password or activity (within the roles one may grant)', roles: { admin: 'own', regional_admin: 'region' }, person: true },
  'apiKeys.manage': { summary: 'list, create and revoke API keys (within the roles one may grant)', roles: { admin: 'own', regional_admin: 'region' }, person: true },
  'audit.read': { summary: 'read the audit log', roles: { admin: 'own', auditor: 'own', supervisor: 'own', manager: 'own', regional_admin: 'region' } },
  'audit.verify': { summary: 'verify the audit log\'s hash chain (problems of the administrations one acts on)', roles: { admin: 'own', auditor: 'own', regional_admin: 'region' } },
  'reference.read': { summary: 'reference data (offices, HS, countries)', roles: { ...NATIONAL_READERS, regional_analyst: 'region', regional_admin: 'region', system: 'region' } },

  // ---- declarations and manifests
  'declarations.submit': { summary: 'submit and import declarations and manifests', roles: { system: 'own', admin: 'own' } },
  'declarations.read': { summary: 'read declarations and manifests in full', roles: { ...NATIONAL_READERS, regional_analyst: 'region', system: 'own' } },

  // ---- risk
  'criteria.read': { summary: 'read risk criteria and their versions', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', auditor: 'own', admin: 'own', regional_analyst: 'own' } },
  'criteria.write': { summary: 'write, edit and submit criteria', roles: { risk_analyst: 'own', admin: 'own' }, person: true },
  'criteria.approve': { summary: 'approve or reject a criterion version (four eyes)', roles: { supervisor: 'own', risk_analyst: 'own', admin: 'own' }, person: true },
  'criteria.suspend': { summary: 'suspend or resume a running criterion (resuming: four eyes)', roles: { supervisor: 'own', risk_analyst: 'own', admin: 'own' }, person: true },
  'criteria.check': { summary: 'type-check an expression', roles: { risk_analyst: 'own', admin: 'own', supervisor: 'own' } },
  'risk.backtest': { summary: 'run an expression or a criterion over history', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', admin: 'own' }, person: true },
  'controls.queue': { summary: 'the queue of controls', roles: { officer: 'own', supervisor: 'own' } },
  'controls.read': { summary: 'a control, its reasons and result', roles: { officer: 'own', supervisor: 'own', manager: 'own', auditor: 'own', risk_analyst: 'own' } },
  'controls.record': { summary: 'record a control result', roles: { officer: 'own', supervisor: 'own' }, person: true },
  'controls.reassign': { summary: 'reassign a control', roles: { supervisor: 'own' }, person: true },
  'assessments.override': { summary: 'override a decision\'s channel', roles: { supervisor: 'own' }, person: true },
  'assessments.replay': { summary: 'replay a decision', roles: { supervisor: 'own', risk_analyst: 'own', auditor: 'own', manager: 'own', admin: 'own' } },
  'roster.read': { summary: 'officers on duty', roles: { supervisor: 'own', officer: 'own', manager: 'own', admin: 'own' } },
  'roster.manage': { summary: 'put officers on duty, end duties', roles: { supervisor: 'own', admin: 'own' }, person: true },
  'risk.effectiveness': { summary: 'hit rates and effectiveness', roles: { manager: 'own', supervisor: 'own', risk_analyst: 'own', auditor: 'own', admin: 'own' } },
  'risk.marks': { summary: 'consignments marked before arrival', roles: { risk_analyst: 'own', supervisor: 'own', officer: 'own', admin: 'own' } },
  'riskConfig.read': { summary: 'selectivity settings', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', admin: 'own' } },
  'riskConfig.history': { summary: 'the versions of the selectivity settings', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', admin: 'own', auditor: 'own' } },
  'riskConfig.write': { summary: 'change selectivity settings', roles: { supervisor: 'own', admin: 'own' }, person: true },
  'risk.decisions.read': { summary: 'what selectivity did with a declaration or a trader', roles: { ...NATIONAL_READERS, regional_analyst: 'own' } },

  // ---- models
  'models.read': { summary: 'models, drift, reference prices', roles: { ...NATIONAL_READERS, regional_analyst: 'own' } },
  'models.train': { summary: 'train, propose, tune exploration, refresh valuation', roles: { risk_analyst: 'own', admin: 'own' }, person: true },
  'models.evaluate': { summary: 'evaluate a model on a window', roles: { risk_analyst: 'own', admin: 'own', supervisor: 'own', manager: 'own' } },
  'models.approve': { summary: 'approve, reject or retire a model promotion (four eyes)', roles: { supervisor: 'own', manager: 'own', admin: 'own' }, person: true },

  // ---- transit
  'transit.record': { summary: 'declare transits and record events', roles: { officer: 'own', supervisor: 'own', system: 'own' } },
  'transit.import': { summary: 'bulk events from systems', roles: { system: 'own' } },
  'transit.read': { summary: 'transits, their events and port reconciliation', roles: { officer: 'own', supervisor: 'own', risk_analyst: 'own', manager: 'own', auditor: 'own', regional_analyst: 'region' } },
  'transit.alerts.read': { summary: 'transit alerts', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', regional_analyst: 'region' } },
  'transit.sweep': { summary: 'run the time-based transit detectors (over the administrations one acts on)', roles: { system: 'own', supervisor: 'own', admin: 'own' } },
  'transit.verify': { summary: 'verify the transit ledgers (of the administrations one acts on)', roles: { auditor: 'own', supervisor: 'own', manager: 'own', admin: 'own' } },
  'transit.thresholds.read': { summary: 'detector thresholds', roles: { officer: 'own', supervisor: 'own', risk_analyst: 'own', manager: 'own', auditor: 'own', admin: 'own', regional_analyst: 'region' } },
  'transit.thresholds.write': { summary: 'set detector thresholds', roles: { admin: 'own', supervisor: 'own' }, person: true },

  // ---- regional risk cooperation (risk information forms, common criteria, seizures and control results)
  'coop.rif.read': { summary: 'risk information forms sent and received, and partners\' answers', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', auditor: 'own', admin: 'own', regional_analyst: 'own' } },
  'coop.rif.send': { summary: 'send a risk information form to partner administrations', roles: { risk_analyst: 'own', supervisor: 'own' }, person: true },
  'coop.rif.answer': { summary: 'accept a partner\'s risk information form as a criterion (awaiting a second person) or decline it', roles: { risk_analyst: 'own', admin: 'own' }, person: true },
  'coop.criteria.read': { summary: 'common regional criteria: proposals, members\' answers and hit rates', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', auditor: 'own', admin: 'own', regional_analyst: 'own' } },
  'coop.criteria.propose': { summary: 'propose a common regional criterion to member administrations (regional working group)', roles: { regional_analyst: 'own' }, person: true },
  'coop.criteria.answer': { summary: 'adopt, adapt or decline a common regional criterion (adopting: awaiting a second person)', roles: { risk_analyst: 'own', admin: 'own' }, person: true },
  'coop.criteria.report': { summary: 'send the hit rates of an adopted common criterion to the proposer', roles: { risk_analyst: 'own', supervisor: 'own', admin: 'own', system: 'own' } },
  'coop.intel.read': { summary: 'seizures and control results shared with or by the administration', roles: { risk_analyst: 'own', supervisor: 'own', officer: 'own', manager: 'own', auditor: 'own', regional_analyst: 'own' } },
  'coop.intel.share': { summary: 'share a seizure or a control result with findings with partner administrations', roles: { officer: 'own', supervisor: 'own', risk_analyst: 'own' }, person: true },
  'coop.intel.watch': { summary: 'turn a partner\'s seizure or control result into a watch criterion (awaiting a second person)', roles: { risk_analyst: 'own', admin: 'own' }, person: true },

  // ---- indicators
  'kpi.read': { summary: 'dashboard indicators and targets', roles: { admin: 'own', risk_analyst: 'own', supervisor: 'own', auditor: 'own', manager: 'own', regional_analyst: 'region' } },
  'kpi.alerts': { summary: 'open transit alert counts', roles: { risk_analyst: 'own', supervisor: 'own', manager: 'own', regional_analyst: 'region' } },
  'kpi.traders': { summary: 'a trader\'s record', roles: { ...NATIONAL_READERS, regional_analyst: 'region' } },
  'kpi.targets.write': { summary: 'set channel targets', roles: { admin: 'own', supervisor: 'own', manager: 'own' }, person: true },

  // ---- regional exchange
  'exchange.status': { summary: 'the state of the link to the regional exchange (up or down since when, queue)', roles: { ...NATIONAL_READERS, regional_analyst: 'region', regional_admin: 'region', system: 'own' } },
  'exchange.read': { summary: 'exchange messages and their delivery, dead letters, partners and their keys, sharing rules', roles: { admin: 'own', auditor: 'own', supervisor: 'own', regional_admin: 'region' } },
  'exchange.keys.manage': { summary: 'import partners\' public keys, rotate and revoke keys of the exchange', roles: { admin: 'own' }, person: true },
  'exchange.rules.write': { summary: 'edit the sharing rules (what goes to which partner, what is redacted) and which kinds partners may send', roles: { admin: 'own' }, person: true },
  'exchange.deadLetters.manage': { summary: 're-examine or discard a dead letter of the exchange', roles: { admin: 'own' }, person: true },

  // ---- traders
  'traders.read': { summary: 'a trader\'s identity, history as of a date and AEO status (here and as partners certified it), the AEO register', roles: { ...NATIONAL_READERS, regional_analyst: 'region' } },
  'traders.aeo.write': { summary: 'certify, suspend or revoke a trader\'s AEO status in one\'s administration (queued to the partners)', roles: { admin: 'own', risk_analyst: 'own' }, person: true },

  // ---- post-clearance audit (pca) and the tax administration
  'pca.read': { summary: 'sensitive goods lists, auditors, conflicts of interest, audit plans, a trader\'s audits', roles: { auditor: 'own', supervisor: 'own', manager: 'own', risk_analyst: 'own', admin: 'own' } },
  'pca.sensitive.write': { summary: 'propose a sensitive goods entry or its withdrawal', roles: { risk_analyst: 'own', auditor: 'own', admin: 'own' }, person: true },
  'pca.sensitive.approve': { summary: 'approve or reject a sensitive goods entry or its withdrawal (four eyes)', roles: { supervisor: 'own', risk_analyst: 'own', manager: 'own', admin: 'own' }, person: true },
  'pca.auditors.manage': { summary: 'put auditors on the roster, set their monthly hours', roles: { supervisor: 'own', manager: 'own', admin: 'own' }, person: true },
  'pca.conflicts.declare': { summary: 'declare or end a conflict of interest (an auditor their own)', roles: { auditor: 'own', supervisor: 'own', manager: 'own' }, person: true },
  'pca.plan.write': { summary: 'prepare a monthly audit plan', roles: { auditor: 'own', risk_analyst: 'own', supervisor: 'own', manager: 'own' }, person: true },
  'pca.plan.approve': { summary: 'approve or reject an audit plan (four eyes)', roles: { supervisor: 'own', manager: 'own' }, person: true },
  'pca.cases.open': { summary: 'open an audit case (auditor drawn at random)', roles: { supervisor: 'own', manager: 'own' }, person: true },
  'pca.cases.read': { summary: 'audit cases, their findings and reports (a tax participant: the cases shared with them)', roles: { auditor: 'own', supervisor: 'own', manager: 'own', risk_analyst: 'own', admin: 'own', tax_liaison: 'own' } },
  'pca.cases.work': { summary: 'work a case assigned to one: document requests, findings, hours, closure', roles: { auditor: 'own', supervisor: 'own' }, person: true },
  'pca.cases.share': { summary: 'share a case with a participant of the tax administration', roles: { supervisor: 'own', manager: 'own', auditor: 'own' }, person: true },
  'pca.tax.import': { summary: 'send periodic tax returns', roles: { system: 'own', admin: 'own' } },
  'pca.tax.detect': { summary: 'run the customs / tax mismatch detector', roles: { system: 'own', risk_analyst: 'own', auditor: 'own', supervisor: 'own', admin: 'own' } },
  'pca.tax.read': { summary: 'mismatches between customs and tax, with their evidence', roles: { risk_analyst: 'own', auditor: 'own', supervisor: 'own', manager: 'own', admin: 'own' } },
  'pca.effectiveness': { summary: 'post-clearance audit effectiveness: recovery per audit hour by source of selection', roles: { manager: 'own', supervisor: 'own', risk_analyst: 'own', auditor: 'own', admin: 'own' } },
} as const satisfies Record<string, ActionDef>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

/** Roles that reach beyond one administration; only a regional admin (or the CLI) grants them. */
export const REGIONAL_ROLES: readonly Role[] = ['regional_analyst', 'regional_admin'];
/** Roles held within one administration; its national admin grants them. */
export const NATIONAL_ROLES: readonly Role[] = ['admin', 'risk_analyst', 'officer', 'supervisor', 'auditor', 'manager', 'tax_liaison'];
/**
 * The roles an API key may carry: `system` (a national system sending data in) and the read-only
 * roles. Never one that approves, decides or manages accounts: four eyes needs two people, and a
 * key has none behind it.
 */
export const KEY_ROLES: readonly Role[] = ['system', 'auditor', 'regional_analyst'];

const def = (action: Action): ActionDef => POLICY[action];

/** Why the policy refused, as `errors[0].code` of the 403 answer. */
export type RefusalCode = 'role_not_allowed' | 'needs_a_person' | 'out_of_reach' | 'not_grantable';
export const REFUSAL_CODES: readonly RefusalCode[] = ['role_not_allowed', 'needs_a_person', 'out_of_reach', 'not_grantable'];

/** A 403 from the policy (not a rule of the trade such as four eyes): names the field at fault and why. */
export class PolicyRefusal extends ForbiddenError {
  constructor(field: string, code: RefusalCode, detail: string) {
    super(detail);
    (this as { errors: FieldError[] }).errors = [{ path: field, code, message: detail }];
  }
}

/** The roles an action allows (for route guards and documentation). */
export function rolesFor(action: Action): Role[] {
  return Object.keys(def(action).roles) as Role[];
}

/** Is the principal allowed the action at all (in some administration)? */
export function allows(p: Principal, action: Action): boolean {
  if (p.kind === 'system') return true;
  const d = def(action);
  if (p.kind === 'api_key' && d.person) return false;
  return d.roles[p.role] !== undefined;
}

/** Why `allows` said no, as a 403 to throw. */
export function refusalError(p: Principal, action: Action): PolicyRefusal {
  const d = def(action);
  return new PolicyRefusal(p.kind === 'api_key' && d.person && d.roles[p.role] !== undefined ? 'credential' : 'role', p.kind === 'api_key' && d.person && d.roles[p.role] !== undefined ? 'needs_a_person' : 'role_not_allowed', refusal(p, action));
}

/** Why `allows` said no, in words the caller understands. */
export function refusal(p: Principal, action: Action): string {
  const d = def(action);
  if (p.kind === 'api_key' && d.person && d.roles[p.role] !== undefined) {
    return `${action}: this needs a person signed in; an API key has no person behind it, so it may not ${d.summary.split(' (')[0]}`;
  }
  return `${action}: this needs one of the roles ${rolesFor(action).join(', ')}; you have the role ${p.role}`;
}

/** The administrations the principal may act on for the action: none, its own, or all. */
export function administrationsFor(p: Principal, action: Action): readonly string[] {
  if (p.kind === 'system') return ADMINISTRATIONS;
  if (!allows(p, action)) return [];
  return def(action).roles[p.role] === 'region' ? ADMINISTRATIONS : [p.country];
}

/** Does the action reach every administration for this principal? */
export function reachesAll(p: Principal, action: Action): boolean {
  return administrationsFor(p, action).length === ADMINISTRATIONS.length;
}

/** May the principal do the action on records of `country`? */
export function mayActOn(p: Principal, action: Action, country: string | null | undefined): boolean {
  return country != null && administrationsFor(p, action).includes(country);
}

/** 403 naming `field` unless the principal may do the action in `country` (a value the caller chose). */
export function requireAdministration(p: Principal, action: Action, country: string, field = 'country'): void {
  if (!allows(p, action)) throw refusalError(p, action);
  if (!mayActOn(p, action, country)) {
    throw new PolicyRefusal(field, 'out_of_reach', `${field}: you act for administration ${p.country} and may not act on ${country}`);
  }
}

/** The administration a request asks for (`asked`, else the principal's own), checked. */
export function administrationFor(p: Principal, action: Action, asked: string | undefined, field = 'country'): string {
  const c = asked ?? p.country;
  requireAdministration(p, action, c, field);
  return c;
}

/** For records looked up by id: 404 (never 403) when out of reach, so as not to reveal they exist. */
export function requireVisible<T extends { country: string } | null | undefined>(p: Principal, action: Action, record: T, what: string): asserts record is NonNullable<T> {
  if (!record || !mayActOn(p, action, record.country)) throw new NotFoundError(what);
}

// ---- granting roles

/** The roles a principal may give to the users it creates or promotes and the API keys it makes. */
export function grantableRoles(p: Principal): readonly Role[] {
  if (p.kind === 'system') return [...NATIONAL_ROLES, ...REGIONAL_ROLES, 'system'];
  if (p.kind !== 'user') return [];
  if (p.role === 'regional_admin') return REGIONAL_ROLES;
  // `system` only ever goes to API keys (a user cannot hold it)
  if (p.role === 'admin') return [...NATIONAL_ROLES, 'system'];
  return [];
}

/**
 * Throws unless `actor` may give `role` to an account or key of `country`. `field` names the
 * input at fault. A national admin grants national roles of its own administration; a regional
 * admin grants regional roles; the CLI (system) grants any.
 */
export function requireGrant(actor: Principal, role: Role, country: string, action: 'users.manage' | 'apiKeys.manage', field = 'role'): void {
  requireAdministration(actor, action, country, 'country');
  if (!grantableRoles(actor).includes(role)) {
    const regional = REGIONAL_ROLES.includes(role);
    throw new PolicyRefusal(
      field.split(' ')[0],
      'not_grantable',
      regional
        ? `${field}: ${role} reaches every administration; only a regional admin grants it (the first regional admin is made with \`centinela users add --role regional_admin\` on the host)`
        : actor.role === 'regional_admin'
          ? `${field}: ${role} is a national role; the national admin of ${country} grants it`
          : `${field}: you may not grant the role ${role}`,
    );
  }
}

/** Roles an API key may carry (a 400 naming `role` otherwise: see KEY_ROLES). */
export function keyRoleProblem(role: Role): string | null {
  if (KEY_ROLES.includes(role)) return null;
  return `an API key may carry only the roles ${KEY_ROLES.join(', ')}: a key has no person behind it, so it never approves criteria or models, decides on controls or manages accounts (four eyes needs two people); sign in as a person for ${role} work`;
}

// ---- four eyes

/** `kind:id` of a principal, as authors and deciders are recorded. */
export const principalKey = (p: Principal): string => `${p.kind}:${p.id}`;

/**
 * Four eyes: the decider is a person signed in (never an API key) and none of the `authors`
 * (`kind:id` keys, or usernames for records that keep names). Throws a ForbiddenError saying why.
 */
export function requireSecondPerson(actor: Principal, authors: { keys?: Iterable<string>; names?: Iterable<string> }, what: string): void {
  if (actor.kind === 'api_key') {
    throw new ForbiddenError(`four eyes: ${what} needs a person signed in, not an API key`);
  }
  const keys = new Set(authors.keys ?? []);
  const names = new Set(authors.names ?? []);
  if (keys.has(principalKey(actor)) || names.has(actor.name)) {
    throw new ForbiddenError(`four eyes: you wrote part of ${what}, so someone else must decide on it`);
  }
}
