#!/usr/bin/env node
// Builds the web application (web/ → web/dist) when web/dist is missing or older than its sources.
// Run before `serve` by `npm start`, and by the browser tests; `--force` builds regardless.
import fs from 'node:fs';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

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

const DIST = path.join(WEB, 'dist');
/** What is worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = /\.(?:js|mjs|css|svg|json|txt|map|wasm)$/;
const MIN_BYTES = 1024;

/**
 * Writes each compressible file of the build compressed beside it, at the highest quality, once:
 * `x.js.br` (brotli 11) and `x.js.gz` (gzip 9). The server sends these as they are
 * (src/server/compression.ts), so a slow link gets the smallest bytes at no CPU cost per request.
 * Vite has no compressor of its own; node:zlib does it. Answers the bytes before and after.
 */
export async function precompress(dir = DIST) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (COMPRESSIBLE.test(e.name)) files.push(p);
    }
  };
  if (!fs.existsSync(dir)) return { files: 0, raw: 0, br: 0, gz: 0 };
  walk(dir);
  const total = { files: 0, raw: 0, br: 0, gz: 0 };
  const { promisify } = await import('node:util');
  const brotli = promisify(zlib.brotliCompress);
  const gzip = promisify(zlib.gzip);
  await Promise.all(
    files.map(async (f) => {
      const st = fs.statSync(f);
      if (st.size < MIN_BYTES) return;
      const fresh = (ext) => {
        try {
          return fs.statSync(f + ext).mtimeMs >= st.mtimeMs;
        } catch {
          return false;
        }
      };
      const data = fs.readFileSync(f);
      total.files++;
      total.raw += data.length;
      const br = fresh('.br') ? fs.readFileSync(f + '.br') : await brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
      const gz = fresh('.gz') ? fs.readFileSync(f + '.gz') : await gzip(data, { level: 9 });
      // written aside, then renamed: a server reading it meanwhile never sees half a file
      const write = (ext, buf) => {
        const tmp = `${f}${ext}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
        fs.writeFileSync(tmp, buf);
        fs.renameSync(tmp, f + ext);
      };
      if (!fresh('.br')) write('.br', br);
      if (!fresh('.gz')) write('.gz', gz);
      total.br += br.length;
      total.gz += gz.length;
    }),
  );
  return total;
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
  if (!force && !webIsStale()) {
    // a build made before precompression existed gets its .br / .gz files now (a no-op when they are there);
    // only an optimisation: a build running meanwhile in another process must not fail this one
    await precompress().catch(() => undefined);
    return false;
  }
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
  const z = await precompress();
  // the build keeps source mtimes; mark the result as newer than every source
  const now = new Date();
  fs.utimesSync(DIST_INDEX, now, now);
  const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
  if (!quiet) process.stderr.write(`web: built in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${z.files} files precompressed: ${kb(z.raw)} → brotli ${kb(z.br)}, gzip ${kb(z.gz)}\n`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWeb({ force: process.argv.includes('--force') }).catch((e) => {
    process.stderr.write(`web: the build failed: ${e?.message ?? e}\n`);
    process.exit(1);
  });
}
