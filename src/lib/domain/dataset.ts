// The dataset file format (`npm start -- --data FILE`) and its validation.
// The demo dataset is one of these; the reference server refuses a bad file naming the bad field's path.
import { z } from 'zod';
import { accountIdSchema } from './account-id';
import { institutionSchema, parentSchema } from './institution';
import { userKey } from './types';

export { institutionSchema, parentSchema };

export const datasetUserSchema = z.object({
	accountId: accountIdSchema,
	username: z.string().min(1).max(100),
	name: z.string().max(100).default(''),
	email: z.string().max(254).default(''),
	role: z.string().min(1),
	/** Optional initial password (demo users); hashed by the server, never stored in plaintext. */
	password: z.string().optional()
});

export const adminSchema = z.object({
	username: z.string().min(1),
	password: z.string().min(8),
	parentAccountId: accountIdSchema
});

export const datasetSchema = z
	.object({
		parents: z.array(parentSchema).min(1),
		institutions: z.array(institutionSchema),
		roles: z.array(z.string().min(1)).min(1),
		users: z.array(datasetUserSchema),
		admins: z.array(adminSchema).min(1)
	})
	.superRefine((d, ctx) => {
		const parents = new Set(d.parents.map((p) => p.accountId));
		const institutions = new Set<string>();
		d.institutions.forEach((inst, i) => {
			if (!parents.has(inst.parentAccountId)) {
				ctx.addIssue({ code: 'custom', path: ['institutions', i, 'parentAccountId'], message: `unknown parent ${inst.parentAccountId}` });
			}
			if (institutions.has(inst.accountId) || parents.has(inst.accountId)) {
				ctx.addIssue({ code: 'custom', path: ['institutions', i, 'accountId'], message: `duplicate account ${inst.accountId}` });
			}
			institutions.add(inst.accountId);
		});
		const roles = new Set(d.roles);
		const seen = new Set<string>();
		d.users.forEach((u, i) => {
			if (!institutions.has(u.accountId)) {
				ctx.addIssue({ code: 'custom', path: ['users', i, 'accountId'], message: `unknown institution ${u.accountId}` });
			}
			if (!roles.has(u.role)) ctx.addIssue({ code: 'custom', path: ['users', i, 'role'], message: `unknown role ${u.role}` });
			const key = userKey(u.accountId, u.username);
			if (seen.has(key)) {
				ctx.addIssue({ code: 'custom', path: ['users', i, 'username'], message: `duplicate user ${u.username} in ${u.accountId}` });
			}
			seen.add(key);
		});
		d.admins.forEach((a, i) => {
			if (!parents.has(a.parentAccountId)) {
				ctx.addIssue({ code: 'custom', path: ['admins', i, 'parentAccountId'], message: `unknown parent ${a.parentAccountId}` });
			}
		});
	});

export type Dataset = z.infer<typeof datasetSchema>;

/** Parses a dataset and returns it, or throws an Error whose message names the path of every bad field. */
export function parseDataset(json: unknown): Dataset {
	const result = datasetSchema.safeParse(json);
	if (result.success) return result.data;
	const lines = result.error.issues.slice(0, 20).map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
	throw new Error(`Invalid dataset:\n${lines.join('\n')}`);
}
