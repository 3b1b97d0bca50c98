import type {} from 'fastify';

/** Who is calling: a person, a system with an API key, or Centinela itself. */
export const USER_ROLES = [
  'admin',
  'risk_analyst',
  'officer',
  'supervisor',
  'auditor',
  'manager',
  'regional_analyst',
  /** manages accounts and keys with regional roles; made with the CLI on the host (see policy.ts) */
  'regional_admin',
  /** a participant of the tax administration: reads the audit cases shared with them, nothing else (pca) */
  'tax_liaison',
] as const;
/** API keys may also carry `system`: a national declaration system sending data in. */
export const ROLES = [...USER_ROLES, 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  /** user id, API key id, or `system` */
  id: string;
  /** username, API key name, or the system component */
  name: string;
  role: Role;
  /** the administration it is scoped to (ISO alpha-2) */
  country: string;
}

export const SYSTEM_PRINCIPAL = (country: string, name = 'centinela'): Principal => ({
  kind: 'system',
  id: 'system',
  name,
  role: 'system',
  country,
});

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
