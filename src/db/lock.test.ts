import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from './client.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('data directory lock', () => {
  it('refuses a second holder while the first process lives, naming it', async () => {
    const dir = tmp();
    // a live process that holds the lock: a child that sleeps
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: child.pid, startedAt: '2026-01-01T00:00:00Z' }));
      expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
      expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another Centinela process \\(pid ${child.pid}`));
    } finally {
      child.kill();
    }
  });

  it('takes over a lock left by a process that died, and releases it', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: child.pid }));
    const release = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'centinela.lock'), 'utf8')).pid).toBe(process.pid);
    expect(() => acquireDataDirLock(dir)).toThrow(/already open in this process/);
    release();
    expect(fs.existsSync(path.join(dir, 'centinela.lock'))).toBe(false);
  });
});
