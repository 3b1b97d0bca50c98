/** The screens: a path pattern, what the role needs, and the page (with an entry in `NAV`, access.ts). */
import type { ReactNode } from 'react';
import { Controls } from '../pages/Controls.tsx';
import { CriteriaList } from '../pages/Criteria.tsx';
import { CriterionEditor, CriterionPage } from '../pages/Criterion.tsx';
import { Dashboard } from '../pages/Dashboard.tsx';
import { Declaration } from '../pages/Declaration.tsx';
import { MovementPage } from '../pages/Movement.tsx';
import { Queue } from '../pages/Queue.tsx';
import { Trader, TraderSearch } from '../pages/Trader.tsx';
import { Transit } from '../pages/Transit.tsx';
import type { Capability } from './access.ts';

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
];
