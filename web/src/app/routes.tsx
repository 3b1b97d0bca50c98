/**
 * The screens: a path pattern, what the role needs, and the page. The risk engine's screens
 * (criteria list and editor, backtest, approval, control result form) are added here, with an
 * entry in `NAV` (access.ts), once their API exists.
 */
import type { ReactNode } from 'react';
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
  { pattern: '/transit', needs: 'transit', render: () => <Transit /> },
  { pattern: '/transit/movements/:id', needs: 'transit', render: (p) => <MovementPage key={p.id} id={p.id} /> },
  { pattern: '/traders', needs: 'traders', render: () => <TraderSearch /> },
  { pattern: '/traders/:tin', needs: 'traders', render: (p) => <Trader key={p.tin} tin={p.tin} /> },
];
