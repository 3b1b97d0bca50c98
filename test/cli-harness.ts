import type { Command } from 'commander';

/**
 * Runs a CLI command in this process and returns what it printed and its exit code. Help counts as
 * output. A commander error (bad option, missing argument) is thrown, or with `errors: 'return'`
 * answered as its message on stderr with commander's exit code.
 */
export async function runCli(make: () => Command, args: string[], opts: { errors?: 'throw' | 'return' } = {}): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const prev = process.exitCode;
  process.exitCode = 0;
  const exitOverride = (c: Command): Command => {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    c.commands.forEach(exitOverride);
    return c;
  };
  try {
    try {
      await exitOverride(make()).parseAsync(args, { from: 'user' });
    } catch (e) {
      if ((e as { code?: string }).code !== 'commander.helpDisplayed') {
        if (opts.errors !== 'return') throw e;
        return { out, err: err + String((e as Error).message), code: (e as { exitCode?: number }).exitCode ?? 1 };
      }
    }
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = prev;
  }
}
