import { Command } from 'commander';
import { openCliDatabase, withDbOptions, type DbOptions } from '../context.ts';

export function migrateCommand(): Command {
  return withDbOptions(new Command('migrate'))
    .description('Create or upgrade the database schema (the server also does this at start)')
    .action(async (o: DbOptions) => {
      const { database } = await openCliDatabase(o);
      process.stdout.write(`migrations applied to ${database.kind} (${database.location})\n`);
      await database.close();
    });
}
