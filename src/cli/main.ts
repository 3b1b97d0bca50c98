import { Command } from 'commander';
import { exchangeCommand } from './commands/exchange.ts';
import { auditCommand } from './commands/audit.ts';
import { importCommand } from './commands/import.ts';
import { migrateCommand } from './commands/migrate.ts';
import { serveCommand } from './commands/serve.ts';
import { simulateCommand } from './commands/simulate.ts';
import { usersCommand } from './commands/users.ts';
import { transitCommand } from './commands/transit.ts';
import { modelCommand } from './commands/model.ts';
import { riskCommand } from './commands/risk.ts';
import { regionCommand } from './commands/region.ts';
import { pcaCommand } from './commands/pca.ts';

const program = new Command('centinela')
  .description('Centinela: integrated customs risk management for Central America and the Dominican Republic')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(importCommand());
program.addCommand(simulateCommand());
program.addCommand(usersCommand());
program.addCommand(auditCommand());
program.addCommand(transitCommand());
program.addCommand(modelCommand());
program.addCommand(riskCommand());
program.addCommand(regionCommand());
program.addCommand(pcaCommand());
program.addCommand(exchangeCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`centinela: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
