// The sync contract against the in-memory portal the engine and worker tests sync against.
import { registerPortalContractTests } from './portal-contract';
import { MemoryPortal } from './memory-portal';

registerPortalContractTests('in-memory portal', async (dataset) => {
	const portal = new MemoryPortal(dataset);
	return {
		transport: portal,
		async editAsSomeoneElse(accountId, username, changes) {
			portal.edit(accountId, username, changes);
		},
		async addAsSomeoneElse(user) {
			portal.add(user);
		},
		async userOnPortal(accountId, username) {
			return portal.user(accountId, username);
		},
		async passwordMatches(accountId, username, password) {
			return portal.passwordMatches(accountId, username, password);
		},
		async loseNextPushAnswer() {
			portal.dropAfterApply = 1;
		},
		async advanceClock(ms) {
			const now = portal.now();
			portal.now = () => now + ms;
		},
		async close() {}
	};
});
