/**
 * `npm run bench [-- NAME...]`: Centinela's benchmarks. Each figure is printed beside a peer or
 * a limit measured in the same run, on this machine.
 */
import { runImportBench } from './import.ts';
import { runStartupBench } from './startup.ts';
import { runTransitBench } from './transit.ts';
import { runModelBench } from './model.ts';
import { runRiskBench } from './risk.ts';
import { runExchangeBench } from './exchange.ts';

const all: Record<string, () => Promise<unknown>> = {
  import: () => runImportBench(),
  startup: () => runStartupBench(),
  transit: () => runTransitBench(),
  model: () => runModelBench(),
  risk: () => runRiskBench(),
  exchange: () => runExchangeBench(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(all);
for (const n of names) {
  if (!all[n]) {
    console.error(`unknown benchmark "${n}": choose from ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
}
if (!process.env.CENTINELA_TEST_DATABASE_URL && process.env.CI) process.env.CENTINELA_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
console.log(`Centinela benchmarks on ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
for (const n of names) {
  await all[n]();
  console.log();
}
