import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf, sessionIdOf } from './auth.ts';
import { administrationsFor, allows, reachesAll, refusalError } from './policy.ts';
import { auditQuery, createApiKeyBody, createUserBody, idParams, listUsersQuery, loginBody, setPasswordBody, updateUserBody, verifyQuery } from './schema.ts';
import * as R from './responses.ts';
import { problems } from '../../core/problem.ts';
import { createAccessService, type AccessService } from './service.ts';
import { parseHead, verifyAuditChain } from './verify.ts';

/** Sign-in, users, API keys and the audit log, under /api/v1. */
export async function accessRoutes(app: App, deps: AppDeps, service: AccessService = createAccessService(deps)): Promise<void> {
  // ---- sign-in

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['access'],
        summary: 'Sign in: a bearer token valid for 12 hours',
        body: loginBody,
        response: { 200: R.loginResponse, ...problems },
      },
    },
    async (req) => {
      const r = await service.login(req.body.username, req.body.password, req.ip);
      return { token: r.token, tokenType: r.tokenType, expiresAt: r.expiresAt, user: r.user };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      preHandler: authorize('auth.session'),
      schema: { tags: ['access'], summary: 'Sign out: ends the session of the bearer token', response: { 204: R.noContent, ...problems } },
    },
    async (req, reply) => {
      const sessionId = sessionIdOf(req);
      if (sessionId) await service.logout(principalOf(req), sessionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      preHandler: authorize('auth.me'),
      schema: { tags: ['access'], summary: 'Who the credentials belong to', response: { 200: R.principalView, ...problems } },
    },
    async (req) => principalOf(req),
  );

  // ---- users

  app.get(
    '/api/v1/users',
    {
      preHandler: authorize('users.read'),
      schema: {
        tags: ['access'],
        summary: "Users of the caller's administration",
        querystring: listUsersQuery,
        response: { 200: R.userList, ...problems },
      },
    },
    async (req) => ({ items: await service.listUsers(principalOf(req), req.query) }),
  );

  app.post(
    '/api/v1/users',
    {
      preHandler: authorize('users.manage'),
      schema: {
        tags: ['access'],
        summary: "Create a user in the caller's administration",
        body: createUserBody,
        response: { 201: R.userView, ...problems },
      },
    },
    async (req, reply) => reply.code(201).send(await service.createUser(principalOf(req), req.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      preHandler: authorize('users.manage'),
      schema: {
        tags: ['access'],
        summary: "Change a user's name, role or whether it is active",
        params: idParams,
        body: updateUserBody,
        response: { 200: R.userView, ...problems },
      },
    },
    async (req) => service.updateUser(principalOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      preHandler: authorize('users.password'),
      schema: {
        tags: ['access'],
        summary: "Set a user's password (admin), or change one's own with the current one",
        params: idParams,
        body: setPasswordBody,
        response: { 204: R.noContent, ...problems },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const self = p.kind === 'user' && p.id === req.params.id;
      if (!self && !allows(p, 'users.manage')) throw refusalError(p, 'users.manage');
      if (self && req.body.currentPassword === undefined) {
        throw new ValidationError([
          { path: 'currentPassword', code: 'required', message: 'Give your current password to change it' },
        ]);
      }
      await service.setPassword(p, req.params.id, req.body.password, {
        currentPassword: self ? req.body.currentPassword : undefined,
        keepSessionId: sessionIdOf(req),
      });
      return reply.code(204).send(null);
    },
  );

  // ---- API keys

  app.get(
    '/api/v1/api-keys',
    {
      preHandler: authorize('apiKeys.manage'),
      schema: {
        tags: ['access'],
        summary: "API keys of the caller's administration (never the keys themselves)",
        querystring: z.object({ includeRevoked: z.enum(['true', 'false']).optional() }),
        response: { 200: R.apiKeyList, ...problems },
      },
    },
    async (req) => ({
      items: await service.listApiKeys(principalOf(req), { includeRevoked: req.query.includeRevoked === 'true' }),
    }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      preHandler: authorize('apiKeys.manage'),
      schema: {
        tags: ['access'],
        summary: 'Create an API key for a system; the key is in this answer only',
        body: createApiKeyBody,
        response: { 201: R.createdApiKeyView, ...problems },
      },
    },
    async (req, reply) => {
      const { key, apiKey } = await service.createApiKey(principalOf(req), req.body);
      return reply.code(201).send({ ...apiKey, key });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      preHandler: authorize('apiKeys.manage'),
      schema: { tags: ['access'], summary: 'Revoke an API key', params: idParams, response: { 200: R.apiKeyView, ...problems } },
    },
    async (req) => service.revokeApiKey(principalOf(req), req.params.id),
  );

  // ---- audit log

  app.get(
    '/api/v1/audit',
    {
      preHandler: authorize('audit.read'),
      schema: {
        tags: ['access'],
        summary: "The audit log of the caller's administration, newest first",
        querystring: auditQuery,
        response: { 200: R.auditPageView, ...problems },
      },
    },
    async (req) => service.listAudit(principalOf(req), req.query),
  );

  app.get(
    '/api/v1/audit/verify',
    {
      preHandler: authorize('audit.verify'),
      schema: {
        tags: ['access'],
        summary: "Verify the audit log's hash chain: the whole chain is walked, problems are reported for the caller's administrations",
        querystring: verifyQuery,
        response: { 200: R.verifyView, ...problems },
      },
    },
    async (req) =>
      verifyAuditChain(deps.db, {
        expectedHead: req.query.expectedHead ? parseHead(req.query.expectedHead) : undefined,
        // problems of the administrations the caller acts on (the whole chain is walked)
        countries: reachesAll(principalOf(req), 'audit.verify') ? undefined : administrationsFor(principalOf(req), 'audit.verify'),
      }),
  );
}
