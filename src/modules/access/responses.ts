import { z } from 'zod';
import { apiKeyView, auditEntryView, auditPageView, createdApiKeyView, loginResponse, principalView, userView, verifyView } from './schema.ts';

/**
 * Response shapes of the access routes (sign-in, users, API keys, the audit log). The views
 * themselves live beside the input schemas in schema.ts; the lists and the empty answers here.
 */
export { apiKeyView, auditEntryView, auditPageView, createdApiKeyView, loginResponse, principalView, userView, verifyView };

export const userList = z.object({ items: z.array(userView) });
export const apiKeyList = z.object({ items: z.array(apiKeyView) });
/** 204: no body */
export const noContent = z.null().describe('No content');
export const locksLifted = z.object({ username: z.string(), lifted: z.number().describe('sign-in locks lifted, over every address') });
