// Owns the record layer of .xlsb parts, which SheetJS trusts byte for byte: walking a part's records (one
// walk for every scan before SheetJS, so they all agree on where a record ends), what damage in a part is
// called (DamagedPartError, which the reader turns into one sentence about the file), and the bounds on
// SheetJS's own reads from a part.

/** What is wrong with a part, for the cause of a refusal (the admin reads one sentence about the file). */
export class DamagedPartError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DamagedPartError';
	}
}

/**
 * The records of an .xlsb part in order: `next()` moves to the next one and sets its `type` and the
 * [`start`, `end`) of its body. A record header is the type (a 7-bit varint of one or two bytes) and the
 * body's length (one to four bytes), as SheetJS's recordhopper reads them. A cursor rather than a callback
 * or a generator: parts run to tens of megabytes of short records, and over a 52 MB sheet part a callback
 * made the scans a third slower and a generator twice as slow. `next()` throws DamagedPartError for a record
 * running past the end of the part.
 */
export class XlsbRecords {
	type = 0;
	start = 0;
	end = 0;

	constructor(private readonly data: Uint8Array) {}

	next(): boolean {
		const data = this.data;
		let p = this.end;
		if (p >= data.length) return false;
		let type = data[p++];
		if (type & 0x80) type = (type & 0x7f) + ((data[p++] & 0x7f) << 7);
		let length = 0;
		for (let i = 0; i < 4; i++) {
			const b = data[p++];
			length += (b & 0x7f) << (7 * i);
			if (!(b & 0x80)) break;
		}
		const end = p + length;
		if (end > data.length) throw new DamagedPartError(`record ${type} at ${p} runs ${end - data.length} bytes past the end of the part`);
		this.type = type;
		this.start = p;
		this.end = end;
		return true;
	}
}

/** The longest text Excel stores in a cell, a name or a formula string. */
const MAX_XLSB_STRING = 32_767;

/**
 * Makes SheetJS's reads from an .xlsb part fail fast instead of running on past its end. SheetJS reads a
 * count or a string's length from a record and then that many items or characters, past the record and
 * the part if the number is damaged (bytes beyond the end read as NUL or NaN, and a NaN count never runs
 * out): one flipped byte in a sheet name, a shared string or cell metadata costs minutes and gigabytes.
 * SheetJS gives each part it parses a `read_shift` method (prep_blob assigns it); this accessor keeps its
 * assignments and hands SheetJS a version that throws DamagedPartError for a UTF-16 string longer than
 * Excel allows or than the rest of the part, and for any read starting well past the end of the part.
 * Use on .xlsb parts only, before SheetJS parses them.
 */
export function boundXlsbReads(part: Uint8Array, partName: string): void {
	type ReadShift = (this: Uint8Array & { l: number }, size: number, type?: string) => unknown;
	let readShift: ReadShift | undefined;
	const bounded: ReadShift = function (size, type) {
		// A few bytes of slack: a short last record may be read a little past the end, harmlessly.
		if (this.l > this.length + 16) {
			throw new DamagedPartError(`${partName}: a read at ${this.l}, past the end of the ${this.length}-byte part`);
		}
		if ((type === 'dbcs' || type === 'utf16le') && (size > MAX_XLSB_STRING || this.l + 2 * size > this.length)) {
			throw new DamagedPartError(`${partName}: a string of ${size} characters at ${this.l} in a ${this.length}-byte part`);
		}
		return readShift!.call(this, size, type);
	};
	Object.defineProperty(part, 'read_shift', {
		configurable: true,
		get: () => bounded,
		set: (value: ReadShift) => {
			readShift = value;
		}
	});
}
