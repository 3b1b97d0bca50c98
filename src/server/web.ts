/**
 * Serves the web application (web/dist, built by `npm run build:web`) at `/`: its files, and
 * index.html for every other path outside /api so that the browser's router takes over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { selfOnlyCsp } from './edge.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Everything the app needs is bundled: no other origin is ever contacted. */
const CSP = selfOnlyCsp(['blob:']);

const NOT_BUILT = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Centinela</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Centinela</h1>
<p>La aplicación web no está compilada: ejecute <code>npm run build:web</code> (o <code>npm start</code>, que la compila).</p>
<p lang="en">The web application is not built: run <code>npm run build:web</code> (or <code>npm start</code>, which builds it).</p>
<p><a href="/api/docs">API (OpenAPI)</a></p>
</body></html>`;

export interface WebOptions {
  /** the built app (default web/dist) */
  root?: string;
}

/** Whether a path names a file (has an extension) rather than a screen of the app. */
const looksLikeFile = (url: string) => /\/[^/]+\.[A-Za-z0-9]+$/.test(url);

export async function registerWeb(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const root = opts.root ?? WEB_DIST;
  const built = fs.existsSync(path.join(root, 'index.html'));

  await app.register(async (web) => {
    // sendFile only: the files are looked up on each request, so a rebuilt app is served without a restart
    await web.register(fastifyStatic, { root: built ? root : path.dirname(root), serve: false, index: false });

    const headers = (reply: FastifyReply) => reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    const sendIndex = async (_req: FastifyRequest, reply: FastifyReply) => {
      headers(reply).header('content-security-policy', CSP).header('cache-control', 'no-cache');
      if (!built && !fs.existsSync(path.join(root, 'index.html'))) return reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT);
      return reply.sendFile('index.html', root, { maxAge: 0, immutable: false, cacheControl: false });
    };

    web.get('/', { schema: { hide: true } }, sendIndex);
    web.get('/*', { schema: { hide: true } }, async (req, reply) => {
      const url = req.url.split(/[?#]/)[0];
      if (url === '/api' || url.startsWith('/api/')) return reply.callNotFound();
      if (!looksLikeFile(url)) return sendIndex(req, reply);
      // a file of the build: hashed assets never change, the rest is revalidated
      const file = decodeURIComponent(url.slice(1));
      if (file.split('/').some((p) => p === '..' || p.startsWith('.'))) return reply.callNotFound();
      headers(reply);
      return file.startsWith('assets/')
        ? reply.sendFile(file, root, { maxAge: 365 * 86_400_000, immutable: true })
        : reply.sendFile(file, root, { maxAge: 0, cacheControl: false });
    });
  });
}
