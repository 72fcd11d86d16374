// Match columns: the worker's guess for each column of the file, what the admin chose instead, and what
// still stops Continue (header-match.ts words it).
import { matchingProblems, type ColumnGuess, type MatchTarget } from '../domain/header-match';
import type { MatchProposal } from '../domain/preview-view';

export class ColumnMatchState {
	proposal = $state.raw<MatchProposal | null>(null);
	/** The admin's choice per column, in the proposal's order. */
	targets = $state<MatchTarget[]>([]);

	start(proposal: MatchProposal): void {
		this.proposal = proposal;
		this.targets = proposal.columns.map((c) => c.target);
	}

	clear(): void {
		this.proposal = null;
		this.targets = [];
	}

	choose(position: number, target: MatchTarget): void {
		this.targets[position] = target;
	}

	/** The guess, unless the admin chose otherwise: then the reason is theirs. */
	reasonFor(position: number): string {
		const guess = this.proposal?.columns[position];
		if (!guess) return '';
		return this.targets[position] === guess.target ? guess.reason : 'Your choice';
	}

	choices(): { index: number; target: MatchTarget }[] {
		return (this.proposal?.columns ?? []).map((c, i) => ({ index: c.index, target: this.targets[i] ?? c.target }));
	}

	get problems(): string[] {
		const columns: ColumnGuess[] = this.proposal?.columns ?? [];
		return matchingProblems(columns.map((c, i) => ({ ...c, target: this.targets[i] ?? c.target })));
	}
}
