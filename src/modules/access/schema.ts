import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { ROLES, USER_ROLES } from './types.ts';

/** Request and response shapes of the access module; the service parses with the same schemas. */

export const USERNAME_RE = /^[a-z0-9._-]{3,40}$/;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_RE, 'A username has 3 to 40 characters among a-z, 0-9, ".", "_" and "-"');
export const countrySchema = z.enum(ADMINISTRATIONS, {
  error: `Must be the ISO alpha-2 code of an administration: ${ADMINISTRATIONS.join(', ')}`,
});
export const userRoleSchema = z.enum(USER_ROLES, { error: `Must be one of: ${USER_ROLES.join(', ')}` });
export const roleSchema = z.enum(ROLES, { error: `Must be one of: ${ROLES.join(', ')}` });
export const displayNameSchema = z.string().trim().min(1, 'Give a name').max(120);
/** length and content rules are checked by the password policy, which names the rule broken */
export const passwordSchema = z.string().max(1024);

export const createUserBody = z.object({
  username: usernameSchema,
  displayName: displayNameSchema,
  role: userRoleSchema,
  country: countrySchema,
  password: passwordSchema,
});
export type CreateUserInput = z.input<typeof createUserBody>;

export const updateUserBody = z
  .object({
    displayName: displayNameSchema.optional(),
    role: userRoleSchema.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => v.displayName !== undefined || v.role !== undefined || v.active !== undefined, {
    message: 'Give at least one of displayName, role, active',
  });
export type UpdateUserInput = z.input<typeof updateUserBody>;

export const setPasswordBody = z.object({
  password: passwordSchema,
  /** required when changing one's own password */
  currentPassword: z.string().max(1024).optional(),
});

export const listUsersQuery = z.object({
  role: userRoleSchema.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const loginBody = z.object({
  username: z.string().max(200),
  password: z.string().max(1024),
});

export const createApiKeyBody = z.object({
  name: z.string().trim().min(1, 'Give the key a name').max(100),
  role: roleSchema,
  country: countrySchema,
});
export type CreateApiKeyInput = z.input<typeof createApiKeyBody>;

export const idParams = z.object({ id: z.uuid() });

export const auditQuery = z
  .object({
    entityType: z.string().max(100).optional(),
    entityId: z.string().max(200).optional(),
    actor: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    /** the `nextCursor` of the previous page */
    cursor: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: '`from` must not be after `to`',
    path: ['from'],
  });

export const verifyQuery = z.object({
  /** `SEQ:HASH` recorded earlier, to detect deletion of the last entries */
  expectedHead: z
    .string()
    .regex(/^\d+:[0-9a-f]{64}$/, 'Expected SEQ:HASH (the head printed by an earlier verification)')
    .optional(),
});

// ---- responses

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: userRoleSchema,
  country: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: roleSchema,
  country: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;

export const createdApiKeyView = apiKeyView.extend({
  /** the full key: shown this once, never stored */
  key: z.string(),
});

export const principalView = z.object({
  kind: z.enum(['user', 'api_key', 'system']),
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  country: z.string(),
});

export const loginResponse = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.string(),
  user: userView,
});

export const auditEntryView = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actorKind: z.string(),
  country: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof auditEntryView>;

export const auditPageView = z.object({
  items: z.array(auditEntryView),
  nextCursor: z.number().nullable(),
});

export const verifyView = z.object({
  ok: z.boolean(),
  checked: z.number(),
  head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  problems: z.array(
    z.object({
      seq: z.number(),
      id: z.string().optional(),
      kind: z.enum(['edited', 'missing', 'broken_link']),
      detail: z.string(),
    }),
  ),
  problemsTruncated: z.boolean(),
});
