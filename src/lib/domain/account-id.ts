// The one rule for an Account ID: 1-18 digits, kept as a string so leading zeros survive. The wire
// schema, dataset files and the upload check (field-rules.ts, which words each problem for admins)
// all decide with accountIdProblem. Its own module so the browser gets it without the dataset schemas.
import { z } from 'zod/mini';

export const ACCOUNT_ID_MAX_DIGITS = 18;

export type AccountIdProblem = 'missing' | 'not-digits' | 'too-long';

export function accountIdProblem(value: string): AccountIdProblem | null {
	if (value === '') return 'missing';
	if (!/^\d+$/.test(value)) return 'not-digits';
	if (value.length > ACCOUNT_ID_MAX_DIGITS) return 'too-long';
	return null;
}

export const accountIdSchema = z
	.string()
	.check(z.refine((value) => accountIdProblem(value) === null, `Account ID must be 1-${ACCOUNT_ID_MAX_DIGITS} digits`));
