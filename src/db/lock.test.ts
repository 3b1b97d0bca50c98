import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, processStartTime } from './client.ts';

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

  const hasProc = processStartTime(process.pid) !== undefined;
  const sleeper = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });

  it.skipIf(!hasProc)('a lock naming a live PID with another start time is stale (the PID was reused) and is taken over', async () => {
    const dir = tmp();
    const child = sleeper();
    try {
      const start = processStartTime(child.pid!)!;
      expect(start).toBeGreaterThan(0);
      fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: child.pid, startTime: start - 1, startedAt: '2026-01-01T00:00:00Z' }));
      const release = acquireDataDirLock(dir);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'centinela.lock'), 'utf8'))).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid) });
      release();
    } finally {
      child.kill();
    }
  });

  it.skipIf(!hasProc)('a live holder with its own start time still refuses, naming its pid', async () => {
    const dir = tmp();
    const child = sleeper();
    try {
      fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: child.pid, startTime: processStartTime(child.pid!), startedAt: '2026-01-01T00:00:00Z' }));
      expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another Centinela process \\(pid ${child.pid}`));
    } finally {
      child.kill();
    }
  });

  it('a lock left by an earlier process with this PID (PID 1 in a restarted container) is taken over', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: process.pid, startTime: 1, startedAt: '2026-01-01T00:00:00Z' }));
    const release = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'centinela.lock'), 'utf8')).startedAt).not.toBe('2026-01-01T00:00:00Z');
    expect(() => acquireDataDirLock(dir)).toThrow(/already open in this process/);
    release();
    expect(fs.existsSync(path.join(dir, 'centinela.lock'))).toBe(false);
  });

  it('where /proc is missing, a live PID alone keeps the lock', async () => {
    const dir = tmp();
    const child = sleeper();
    try {
      const noProc = path.join(tmp(), 'no-proc');
      expect(processStartTime(child.pid!, noProc)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'centinela.lock'), JSON.stringify({ pid: child.pid, startTime: 1 }));
      expect(() => acquireDataDirLock(dir, { procDir: noProc })).toThrow(new RegExp(`pid ${child.pid}`));
    } finally {
      child.kill();
    }
  });
});
