/**
 * The screens: a path pattern, what the role needs, and the page (with an entry in `NAV`, access.ts).
 * Each page is its own chunk, fetched when first shown (React.lazy): the sign-in form and the shell
 * load without the pages' code, and without the charts' library until a page with a chart is opened.
 */
import { lazy, type ComponentType, type ReactNode } from 'react';
import type { Capability } from './access.ts';

/** A page component, with its own props. */
type PageComponent<C> = C extends ComponentType<infer P> ? ComponentType<P> : never;

/** A named export of a page module as a lazy component. */
function page<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] as PageComponent<M[K]> })));
}

const loadCriterion = () => import('../pages/Criterion.tsx');
const loadTrader = () => import('../pages/Trader.tsx');
const Controls = page(() => import('../pages/Controls.tsx'), 'Controls');
const CriteriaList = page(() => import('../pages/Criteria.tsx'), 'CriteriaList');
const CriterionEditor = page(loadCriterion, 'CriterionEditor');
const CriterionPage = page(loadCriterion, 'CriterionPage');
const Dashboard = page(() => import('../pages/Dashboard.tsx'), 'Dashboard');
const Declaration = page(() => import('../pages/Declaration.tsx'), 'Declaration');
const MovementPage = page(() => import('../pages/Movement.tsx'), 'MovementPage');
const Queue = page(() => import('../pages/Queue.tsx'), 'Queue');
const Trader = page(loadTrader, 'Trader');
const TraderSearch = page(loadTrader, 'TraderSearch');
const Transit = page(() => import('../pages/Transit.tsx'), 'Transit');
const loadPcaPlan = () => import('../pages/PcaPlan.tsx');
const loadPcaCase = () => import('../pages/PcaCase.tsx');
const PcaPlans = page(loadPcaPlan, 'PcaPlans');
const PcaPlanPage = page(loadPcaPlan, 'PcaPlanPage');
const PcaCases = page(loadPcaCase, 'PcaCases');
const PcaCaseWorkspace = page(loadPcaCase, 'PcaCaseWorkspace');
const PcaSensitivePage = page(() => import('../pages/PcaSensitive.tsx'), 'PcaSensitivePage');
const PcaTax = page(() => import('../pages/PcaTax.tsx'), 'PcaTax');
const PcaEffectiveness = page(() => import('../pages/PcaEffectiveness.tsx'), 'PcaEffectiveness');
const Exchange = page(() => import('../pages/Exchange.tsx'), 'Exchange');
const loadCooperation = () => import('../pages/Cooperation.tsx');
const CooperationRifs = page(loadCooperation, 'CooperationRifs');
const CooperationRif = page(loadCooperation, 'CooperationRif');
const CooperationCriteria = page(loadCooperation, 'CooperationCriteria');
const CooperationIntel = page(loadCooperation, 'CooperationIntel');

export interface Screen {
  pattern: string;
  needs: Capability;
  render(params: Record<string, string>): ReactNode;
}

export const SCREENS: Screen[] = [
  { pattern: '/', needs: 'dashboard', render: () => <Dashboard /> },
  { pattern: '/queue', needs: 'declarations', render: () => <Queue /> },
  { pattern: '/declarations/:id', needs: 'declarations', render: (p) => <Declaration key={p.id} id={p.id} /> },
  { pattern: '/controls', needs: 'controls', render: () => <Controls /> },
  { pattern: '/criteria', needs: 'criteria', render: () => <CriteriaList /> },
  { pattern: '/criteria/new', needs: 'writeCriteria', render: () => <CriterionEditor key="new" /> },
  { pattern: '/criteria/:id/edit', needs: 'writeCriteria', render: (p) => <CriterionEditor key={p.id} id={p.id} /> },
  { pattern: '/criteria/:id', needs: 'criteria', render: (p) => <CriterionPage key={p.id} id={p.id} /> },
  { pattern: '/transit', needs: 'transit', render: () => <Transit /> },
  { pattern: '/transit/movements/:id', needs: 'transit', render: (p) => <MovementPage key={p.id} id={p.id} /> },
  { pattern: '/traders', needs: 'traders', render: () => <TraderSearch /> },
  { pattern: '/traders/:tin', needs: 'traders', render: (p) => <Trader key={p.tin} tin={p.tin} /> },
  { pattern: '/pca/plans', needs: 'pca', render: () => <PcaPlans /> },
  { pattern: '/pca/plans/:id', needs: 'pca', render: (p) => <PcaPlanPage key={p.id} id={p.id} /> },
  { pattern: '/pca/cases', needs: 'pcaCases', render: () => <PcaCases /> },
  { pattern: '/pca/cases/:id', needs: 'pcaCases', render: (p) => <PcaCaseWorkspace key={p.id} id={p.id} /> },
  { pattern: '/pca/sensitive', needs: 'pca', render: () => <PcaSensitivePage /> },
  { pattern: '/pca/tax', needs: 'pcaTax', render: () => <PcaTax /> },
  { pattern: '/pca/effectiveness', needs: 'pcaEffectiveness', render: () => <PcaEffectiveness /> },
  { pattern: '/exchange', needs: 'exchange', render: () => <Exchange /> },
  { pattern: '/cooperation/rifs', needs: 'cooperation', render: () => <CooperationRifs /> },
  { pattern: '/cooperation/rifs/:id', needs: 'cooperation', render: (p) => <CooperationRif key={p.id} id={p.id} /> },
  { pattern: '/cooperation/criteria', needs: 'cooperation', render: () => <CooperationCriteria /> },
  { pattern: '/cooperation/intel', needs: 'cooperationIntel', render: () => <CooperationIntel /> },
];
