export * from './access.ts';
export * from './declarations.ts';
export * from './intelligence.ts';
export * from './risk.ts';
export * from './sim.ts';
export * from './transit.ts';
