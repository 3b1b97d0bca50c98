#!/usr/bin/env node
// Builds the web application (web/ → web/dist) when web/dist is missing or older than its sources.
// Run before `serve` by `npm start`, and by the browser tests; `--force` builds regardless.
import fs from 'node:fs';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'web');
const DIST_INDEX = path.join(WEB, 'dist', 'index.html');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((p) => path.join(WEB, p));

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** Whether web/dist is missing or older than any source of the web app. */
export function webIsStale() {
  let built;
  try {
    built = fs.statSync(DIST_INDEX).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newestMtime(s) > built);
}

/** Builds the web app if it is stale (or always, with force). Answers whether it built. */
export async function ensureWeb({ force = false, quiet = false } = {}) {
  if (!force && !webIsStale()) return false;
  const t0 = Date.now();
  if (!quiet) process.stderr.write('web: building the web application (web/ → web/dist) …\n');
  const { build } = await import('vite');
  // a production bundle even when called from a test runner (vitest sets NODE_ENV=test)
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(WEB, 'vite.config.ts'), mode: 'production', logLevel: quiet ? 'error' : 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  // the build keeps source mtimes; mark the result as newer than every source
  const now = new Date();
  fs.utimesSync(DIST_INDEX, now, now);
  if (!quiet) process.stderr.write(`web: built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWeb({ force: process.argv.includes('--force') }).catch((e) => {
    process.stderr.write(`web: the build failed: ${e?.message ?? e}\n`);
    process.exit(1);
  });
}
