// Builds the RuleContext the row rules ask, from the admin's local copy: child institutions, roles, users.
import type { RuleContext } from './row-rules';
import type { Institution, Parent, User } from './types';
import { UserIndex } from './user-index';

export function createRuleContext(input: {
	parent: Parent;
	roles: readonly string[];
	institutions: readonly Institution[];
	users: readonly User[];
}): RuleContext {
	// Only this parent's children count as child accounts, even if the local copy held anything else.
	const institutions = new Map(input.institutions.filter((i) => i.parentAccountId === input.parent.accountId).map((i) => [i.accountId, i]));
	const index = new UserIndex(input.users.filter((u) => institutions.has(u.accountId)));
	return {
		parent: input.parent,
		roles: input.roles,
		institution: (accountId) => institutions.get(accountId),
		user: (accountId, username) => index.get(accountId, username),
		emailOwner: (emailLower) => index.emailOwner(emailLower)
	};
}
