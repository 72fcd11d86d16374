// The journal's file format: one entry per line, each line a JSON object carrying a CRC-32 of its entry,
//   {"crc32":"1a2b3c4d","entry":{"generation":7}}      (first line: which snapshot it belongs to)
//   {"crc32":"5e6f7a8b","entry":{"seq":…,"users":[…]}} (then one commit record per line)
// and the rules for reading one back. Journals written by earlier builds have bare entries and no
// checksum; they are still read, with the same rules minus the checksum.
import { crc32 } from 'node:zlib';
import type { CommitRecord } from './state';

export interface JournalHeader {
	generation: number;
}

export interface ParsedJournal {
	/** Null when the file holds no complete line at all. */
	header: JournalHeader | null;
	/** Commit records with their 1-based line numbers. */
	records: { line: number; record: CommitRecord }[];
	/** Whether the file ends in a line without its newline: a write a crash interrupted. */
	tornTail: boolean;
	checksummed: boolean;
}

/** A complete line that cannot be trusted; `line` is 1-based. */
export class JournalDamage extends Error {
	constructor(
		readonly line: number,
		readonly reason: string
	) {
		super(`line ${line} is damaged (${reason})`);
	}
}

const PREFIX = '{"crc32":"';
const CHECKSUMMED = /^\{"crc32":"([0-9a-f]{8})","entry":([\s\S]*)\}$/;

export function journalLine(entry: JournalHeader | CommitRecord): string {
	const json = JSON.stringify(entry);
	return `${PREFIX}${checksum(json)}","entry":${json}}\n`;
}

function checksum(json: string): string {
	return crc32(json).toString(16).padStart(8, '0');
}

/**
 * Reads a journal's text. Only the part after the last newline may be unreadable, because a line is
 * acknowledged only after its newline is on disk; any complete line that fails its checksum, does not
 * parse, or is not the entry its position calls for is damage, and throws JournalDamage.
 */
export function parseJournal(text: string): ParsedJournal {
	const lines = text.split('\n');
	const tail = lines.pop() ?? '';
	const result: ParsedJournal = { header: null, records: [], tornTail: tail !== '', checksummed: false };
	if (lines.length === 0) return result;
	result.checksummed = lines[0].startsWith(PREFIX);
	lines.forEach((text, i) => {
		const line = i + 1;
		const entry = readEntry(text, line, result.checksummed);
		if (line === 1) {
			const problem = headerProblem(entry);
			if (problem) throw new JournalDamage(line, problem);
			result.header = entry as JournalHeader;
		} else {
			const problem = recordProblem(entry);
			if (problem) throw new JournalDamage(line, problem);
			result.records.push({ line, record: entry as CommitRecord });
		}
	});
	return result;
}

function readEntry(text: string, line: number, checksummed: boolean): unknown {
	if (text === '') throw new JournalDamage(line, 'the line is empty');
	let json = text;
	if (checksummed) {
		const match = CHECKSUMMED.exec(text);
		if (!match) throw new JournalDamage(line, 'it is not a checksummed entry like the lines before it');
		if (checksum(match[2]) !== match[1]) throw new JournalDamage(line, 'its checksum does not match its content');
		json = match[2];
	} else if (text.startsWith(PREFIX)) {
		throw new JournalDamage(line, 'a checksummed entry in a journal whose first line has none');
	}
	try {
		return JSON.parse(json) as unknown;
	} catch {
		throw new JournalDamage(line, 'it is not valid JSON');
	}
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
	return Number.isSafeInteger(value) && (value as number) >= 0;
}

function headerProblem(entry: unknown): string | null {
	if (!isObject(entry)) return `it is ${describe(entry)}, not the journal's header`;
	if (!isCount(entry.generation)) return 'the header has no generation number';
	return null;
}

// Shape checks only: what replay would otherwise trip over with a TypeError that names no line.
function recordProblem(entry: unknown): string | null {
	if (!isObject(entry)) return `it is ${describe(entry)}, not a commit record`;
	if (!isCount(entry.seq) || !isCount(entry.applied) || !Array.isArray(entry.users)) {
		return 'it is not a commit record (seq, applied and users are required)';
	}
	for (let i = 0; i < entry.users.length; i++) {
		const t: unknown = entry.users[i];
		const valid =
			Array.isArray(t) &&
			t.length === 8 &&
			t.slice(0, 5).every((v) => typeof v === 'string') &&
			isCount(t[5]) &&
			(t[6] === null || typeof t[6] === 'string') &&
			isCount(t[7]);
		if (!valid) return `users[${i}] is not a stored user`;
	}
	if (entry.client !== undefined) {
		const c = entry.client;
		if (
			!isObject(c) ||
			typeof c.key !== 'string' ||
			!isCount(c.lastAppliedId) ||
			!Array.isArray(c.results) ||
			!c.results.every((r) => isObject(r) && isCount(r.id))
		) {
			return 'its client part is not a client record';
		}
	}
	if (entry.history !== undefined) {
		const h = entry.history;
		if (!isObject(h) || !Array.isArray(h.outcomes) || !Array.isArray(h.parts) || !Array.isArray(h.undone)) {
			return 'its history part is not a history change';
		}
	}
	return null;
}
