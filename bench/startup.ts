/**
 * Demo start-up time: `centinela serve --demo` on an empty data directory (which seeds the
 * simulated region) and again on the seeded one, to the first answer of /api/v1/health.
 * The limit beside it: the same server on the same, already seeded data without --demo work.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'centinela.mjs');

async function startOnce(dataDir: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 10 minutes:\n${err}`)), 600_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /running at (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${err}`)));
  });
  const r = await fetch(`${url}/api/v1/health`);
  if (!r.ok) throw new Error(`health answered ${r.status}`);
  const secs = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return secs;
}

export async function runStartupBench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-startup-'));
  try {
    const first = await startOnce(dir, ['--demo']);
    const again = await startOnce(dir, ['--demo']);
    const plain = await startOnce(dir, []);
    console.log(`startup  demo first start (seeding) ${first.toFixed(1)} s   demo restart ${again.toFixed(1)} s   plain start on the same data (limit) ${plain.toFixed(1)} s   ratio first/limit ${(first / plain).toFixed(1)}`);
    return { first, again, plain };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
