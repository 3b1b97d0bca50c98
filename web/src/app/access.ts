/**
 * What each role may use: the screens in the navigation and the parts of a screen, mirroring the
 * server's `requireRole` lists (each module's routes.ts).
 */
import type { MessageKey } from '../i18n/index.tsx';

export type Role = 'admin' | 'risk_analyst' | 'officer' | 'supervisor' | 'auditor' | 'manager' | 'regional_analyst' | 'tax_liaison';

const ALL: Role[] = ['admin', 'risk_analyst', 'officer', 'supervisor', 'auditor', 'manager', 'regional_analyst'];

/** per capability, the roles the server lets through */
export const CAN = {
  /** GET /api/v1/kpi/overview */
  dashboard: ['admin', 'risk_analyst', 'supervisor', 'auditor', 'manager', 'regional_analyst'],
  /** GET /api/v1/declarations */
  declarations: ALL,
  /** GET /api/v1/kpi/traders/:tin */
  traders: ALL,
  /** GET /api/v1/transit/movements */
  transit: ['officer', 'supervisor', 'risk_analyst', 'manager', 'regional_analyst', 'auditor'],
  /** GET /api/v1/transit/alerts and /api/v1/kpi/alerts */
  transitAlerts: ['risk_analyst', 'supervisor', 'manager', 'regional_analyst'],
  /** GET /api/v1/risk/criteria */
  criteria: ['risk_analyst', 'supervisor', 'manager', 'auditor', 'admin', 'regional_analyst'],
  /** POST /api/v1/risk/criteria, PATCH, submit */
  writeCriteria: ['risk_analyst', 'admin'],
  /** POST /api/v1/risk/check */
  checkCriteria: ['risk_analyst', 'admin', 'supervisor'],
  /** approve, reject, suspend, resume */
  decideCriteria: ['supervisor', 'risk_analyst', 'admin'],
  /** POST /api/v1/risk/backtest */
  backtest: ['risk_analyst', 'supervisor', 'manager', 'admin'],
  /** GET /api/v1/risk/effectiveness */
  effectiveness: ['manager', 'supervisor', 'risk_analyst', 'auditor', 'admin'],
  /** GET /api/v1/risk/controls (an officer's own; a supervisor's administration) */
  controls: ['officer', 'supervisor'],
  /** POST /api/v1/risk/controls/:id/result */
  recordResult: ['officer', 'supervisor'],
  /** reassign a control, override a channel */
  supervise: ['supervisor'],
  /** PUT /api/v1/kpi/targets/:country */
  targets: ['admin', 'supervisor', 'manager'],
  /** GET /api/v1/pca/plans, sensitive goods, auditors (pca.read) */
  pca: ['auditor', 'supervisor', 'manager', 'risk_analyst', 'admin'],
  /** POST /api/v1/pca/plans */
  pcaPlanWrite: ['auditor', 'risk_analyst', 'supervisor', 'manager'],
  /** POST /api/v1/pca/plans/:id/decision */
  pcaPlanApprove: ['supervisor', 'manager'],
  /** POST /api/v1/pca/cases */
  pcaCasesOpen: ['supervisor', 'manager'],
  /** GET /api/v1/pca/cases (a tax participant: the cases shared with them) */
  pcaCases: ['auditor', 'supervisor', 'manager', 'risk_analyst', 'admin', 'tax_liaison'],
  /** document requests, findings, hours, closure */
  pcaCasesWork: ['auditor', 'supervisor'],
  /** POST /api/v1/pca/cases/:id/share */
  pcaCasesShare: ['supervisor', 'manager', 'auditor'],
  /** GET /api/v1/pca/tax-mismatches */
  pcaTax: ['risk_analyst', 'auditor', 'supervisor', 'manager', 'admin'],
  /** GET /api/v1/pca/effectiveness */
  pcaEffectiveness: ['manager', 'supervisor', 'risk_analyst', 'auditor', 'admin'],
  /** PUT /api/v1/traders/:tin/aeo/:country (certify, suspend, revoke) */
  setAeo: ['admin', 'risk_analyst'],
  /** GET /api/v1/exchange/status (the link-down banner) */
  exchangeStatus: ['admin', 'risk_analyst', 'officer', 'supervisor', 'auditor', 'manager', 'regional_analyst'],
  /** GET /api/v1/exchange/messages, dead letters, keys, partners, sharing rules (exchange.read) */
  exchange: ['admin', 'auditor', 'supervisor'],
  /** keys, sharing rules, partners, dead letters (exchange.keys.manage, exchange.rules.write, exchange.deadLetters.manage) */
  exchangeManage: ['admin'],
  /** GET /api/v1/cooperation/rifs and /criteria (coop.rif.read, coop.criteria.read) */
  cooperation: ['risk_analyst', 'supervisor', 'manager', 'auditor', 'admin', 'regional_analyst'],
  /** GET /api/v1/cooperation/intel (coop.intel.read) */
  cooperationIntel: ['risk_analyst', 'supervisor', 'officer', 'manager', 'auditor', 'regional_analyst'],
  /** officers see regional intelligence only */
  cooperationIntelOnly: ['officer'],
} satisfies Record<string, Role[]>;

export type Capability = keyof typeof CAN;

export function can(role: string | undefined, what: Capability): boolean {
  return !!role && (CAN[what] as string[]).includes(role);
}

export interface NavEntry {
  path: string;
  label: MessageKey;
  needs: Capability;
}

/** The navigation, in order; each role sees the entries it may use. */
export const NAV: NavEntry[] = [
  { path: '/', label: 'nav.dashboard', needs: 'dashboard' },
  { path: '/controls', label: 'nav.controls', needs: 'controls' },
  { path: '/queue', label: 'nav.queue', needs: 'declarations' },
  { path: '/criteria', label: 'nav.criteria', needs: 'criteria' },
  { path: '/transit', label: 'nav.transit', needs: 'transit' },
  { path: '/traders', label: 'nav.traders', needs: 'traders' },
  { path: '/pca/plans', label: 'nav.pca', needs: 'pca' },
  { path: '/pca/cases', label: 'nav.pcaCases', needs: 'pcaCases' },
  { path: '/exchange', label: 'nav.exchange', needs: 'exchange' },
  { path: '/cooperation/rifs', label: 'nav.cooperation', needs: 'cooperation' },
  { path: '/cooperation/intel', label: 'nav.regionalIntel', needs: 'cooperationIntelOnly' },
];

export function navFor(role: string | undefined): NavEntry[] {
  return NAV.filter((n) => can(role, n.needs));
}

/** Where a role lands after signing in. */
export function homeOf(role: string | undefined): string {
  return navFor(role)[0]?.path ?? '/queue';
}
