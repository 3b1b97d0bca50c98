import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, queryRows, sql } from './client.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('embedded database durability', () => {
  it('a PGlite data directory runs with fsync on, and a commit reaches the disk (fsync) before it is acknowledged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-durable-'));
    dirs.push(dir);
    const d = await openDatabase({ dataDir: dir, migrate: false });
    try {
      const [s] = await queryRows<{ fsync: string; sync: string }>(d.db, sql`select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sync`);
      expect(s).toEqual({ fsync: 'on', sync: 'on' });
      await d.db.execute(sql`create table t (id int primary key)`);
      const spy = vi.spyOn(fs, 'fsyncSync');
      await d.db.execute(sql`insert into t values (1)`);
      // the commit's WAL write was flushed to the host file system by the time the insert answered
      expect(spy).toHaveBeenCalled();
      spy.mockClear();
      await d.db.execute(sql`select * from t`);
      expect(spy).not.toHaveBeenCalled(); // a read flushes nothing: the calls above came from the commit
    } finally {
      await d.close();
    }
  }, 60_000);
});
