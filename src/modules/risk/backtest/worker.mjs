// Entry of the backtest worker threads (pool.ts): registers the TypeScript loader in the
// thread (workers do not inherit it from `node bin/centinela.mjs`, nor from vitest), then loads
// the evaluation itself from worker.ts.
import { register } from 'tsx/esm/api';

register();
const m = await import('./worker.ts');
export default m.default;
