/**
 * Fast on a slow link (a border post on 1.5 Mbit/s and 300 ms): every answer compressed, the web
 * app's hashed files cached for a year.
 *
 * - API answers (JSON, problem+json) and anything else textual: brotli or gzip, as the client
 *   accepts, through @fastify/compress (brotli at quality 4: little CPU per answer).
 * - The web app's files under /assets/: the build writes each file compressed beforehand at the
 *   highest quality (`.br`, `.gz` beside it; scripts/ensure-web.mjs), and those are sent as they
 *   are; a file without them is compressed on the fly like any answer.
 * - Caching: `/assets/*` are named by their content hash and never change, so
 *   `Cache-Control: public, max-age=31536000, immutable`; index.html (every screen of the app) is
 *   `no-cache`, so a new build is picked up at once.
 *
 * Register it on the root instance BEFORE any route (its hooks reach the routes declared after it):
 * `await registerCompression(app)` right after `Fastify(...)` in buildApp.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEB_DIST } from './web.ts';

export interface CompressionOptions {
  /** false: nothing is compressed (caching headers are still set); what a slow link gets without this */
  enabled?: boolean;
  /** the built web app, where the precompressed `.br` / `.gz` files are looked up (default web/dist) */
  root?: string;
  /** answers smaller than this many bytes are sent as they are (default 1024) */
  threshold?: number;
}

/** What a content-hashed file of the build is cached with. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Textual answers worth compressing (images, fonts and archives are compressed already). JSON Lines
 * are left out: a stream of progress lines must not wait for a compressor's buffer.
 */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:javascript|ecmascript|x-javascript|(?:[\w.+-]+\+)?json|(?:[\w.+-]+\+)?xml|wasm|manifest\+json)|image\/svg\+xml)/i;

/** The encoding to send for an Accept-Encoding header: br before gzip, honouring q=0. */
export function negotiateEncoding(header: string | string[] | undefined): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weight = (e: string) => accepted.get(e) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}

const isStream = (p: unknown): p is Readable => !!p && typeof (p as Readable).pipe === 'function';

function addVary(reply: FastifyReply, field: string) {
  const vary = String(reply.getHeader('vary') ?? '');
  if (!vary.split(',').some((v) => v.trim().toLowerCase() === field.toLowerCase() || v.trim() === '*')) reply.header('vary', vary ? `${vary}, ${field}` : field);
}

/** The precompressed twin of a file of the build under root, if it exists and is not older than the file. */
function precompressed(root: string, urlPath: string, encoding: 'br' | 'gzip'): { file: string; size: number } | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return null;
  }
  const file = path.resolve(root, rel);
  if (!file.startsWith(path.join(root, 'assets') + path.sep)) return null;
  const twin = `${file}${encoding === 'br' ? '.br' : '.gz'}`;
  try {
    const [orig, pre] = [fs.statSync(file), fs.statSync(twin)];
    return pre.isFile() && pre.mtimeMs >= orig.mtimeMs - 1 ? { file: twin, size: pre.size } : null;
  } catch {
    return null;
  }
}

export async function registerCompression(app: FastifyInstance, opts: CompressionOptions = {}): Promise<void> {
  const enabled = opts.enabled ?? true;
  const root = path.resolve(opts.root ?? WEB_DIST);

  if (enabled) {
    await app.register(compress, {
      global: true,
      // requests are not decompressed: a body's size limit holds for what arrives
      globalDecompression: false,
      encodings: ['br', 'gzip'],
      threshold: opts.threshold ?? 1024,
      customTypes: COMPRESSIBLE,
    });
  }

  // runs before @fastify/compress's own onSend (route-level hooks run after the instance's)
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return payload;
    const url = req.url.split(/[?#]/)[0];
    if (url.startsWith('/api/')) return payload;
    const ok = reply.statusCode === 200 || reply.statusCode === 304;
    const type = String(reply.getHeader('content-type') ?? '');

    if (url.startsWith('/assets/') && ok) reply.header('cache-control', IMMUTABLE);
    else if (type.startsWith('text/html')) reply.header('cache-control', 'no-cache');

    if (!enabled || !url.startsWith('/assets/') || !COMPRESSIBLE.test(type)) return payload;
    addVary(reply, 'Accept-Encoding');
    if (req.method !== 'GET' || reply.statusCode !== 200 || !isStream(payload) || reply.getHeader('content-encoding') || reply.getHeader('content-range')) return payload;
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    const twin = encoding && precompressed(root, url, encoding);
    if (!encoding || !twin) return payload; // @fastify/compress compresses it on the fly
    payload.destroy();
    reply.header('content-encoding', encoding).header('content-length', twin.size);
    return fs.createReadStream(twin.file);
  });
}
