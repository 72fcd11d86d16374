// The one schema for a parent account and for an institution (a child account), used by the wire
// protocol's answers and by dataset files. zod/mini like the protocol: the page builds it at start-up.
import { z } from 'zod/mini';
import { accountIdSchema } from './account-id';

export const parentSchema = z.object({ accountId: accountIdSchema, name: z.string().check(z.minLength(1)) });

export const institutionSchema = z
	.object({
		accountId: accountIdSchema,
		name: z.string().check(z.minLength(1)),
		parentAccountId: accountIdSchema,
		signIn: z.enum(['password', 'google']),
		googleDomains: z._default(z.array(z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'not a domain'))), [])
	})
	.check(
		z.refine((i) => i.signIn !== 'google' || i.googleDomains.length > 0, {
			message: 'a Google sign-in institution needs at least one Google domain',
			path: ['googleDomains']
		})
	);
