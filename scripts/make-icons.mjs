#!/usr/bin/env node
// Generates the PWA icons in static/ using only Node builtins (zlib for the PNG
// deflate stream). The glyph is a white "spreadsheet" — a rounded sheet with a
// solid header row and a 3×3 grid of cells — on the theme blue (#1d4e89).
//
//   node scripts/make-icons.mjs
//
// Output (overwritten on every run, deterministic byte-for-byte):
//   static/icon-192.png            purpose "any"      (rounded blue tile, transparent corners)
//   static/icon-512.png            purpose "any"
//   static/icon-maskable-512.png   purpose "maskable" (full-bleed blue, glyph inside the 80% safe zone)

import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'static');

const BLUE = [0x1d, 0x4e, 0x89];
const WHITE = [0xff, 0xff, 0xff];

// ---------------------------------------------------------------- PNG encoding

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

/** @param {Buffer} buf */
function crc32(buf) {
	if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0;
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

/**
 * Encode 8-bit RGBA pixels as a PNG (colour type 6, filter 0 on every row).
 * @param {number} size @param {Uint8Array} rgba
 */
function encodePng(size, rgba) {
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(size, 0); // width
	ihdr.writeUInt32BE(size, 4); // height
	ihdr[8] = 8; // bit depth
	ihdr[9] = 6; // colour type RGBA
	ihdr[10] = 0; // compression
	ihdr[11] = 0; // filter
	ihdr[12] = 0; // interlace
	const stride = size * 4;
	const raw = Buffer.alloc((stride + 1) * size);
	for (let y = 0; y < size; y++) {
		raw[y * (stride + 1)] = 0; // filter: none
		Buffer.from(rgba.buffer, rgba.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
	}
	const idat = zlib.deflateSync(raw, { level: 9 });
	return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------- geometry
// All shapes are in unit coordinates (0..1 across the icon).

/** Inside a rounded rectangle? */
function inRoundRect(x, y, x0, y0, x1, y1, r) {
	if (x < x0 || x > x1 || y < y0 || y > y1) return false;
	const cx = Math.min(Math.max(x, x0 + r), x1 - r);
	const cy = Math.min(Math.max(y, y0 + r), y1 - r);
	const dx = x - cx;
	const dy = y - cy;
	return dx * dx + dy * dy <= r * r;
}

/**
 * The spreadsheet glyph, laid out in a box [bx, bx+bs]² (unit coordinates).
 * Returns true where the pixel is white.
 */
function glyph(x, y, bx, bs) {
	// map into glyph-local 0..1 coordinates
	const u = (x - bx) / bs;
	const v = (y - bx) / bs;
	// the sheet: slightly wider than tall
	const sx0 = 0.0,
		sx1 = 1.0,
		sy0 = 0.1,
		sy1 = 0.9;
	const radius = 0.09;
	if (!inRoundRect(u, v, sx0, sy0, sx1, sy1, radius)) return false;

	const line = 0.055; // white grid-line thickness
	const headerBottom = sy0 + 0.22; // solid header row
	if (v <= headerBottom) return true;

	// body: 3 columns × 3 rows of blue cells separated by white lines
	const cols = 3;
	const rows = 3;
	const innerX0 = sx0 + line,
		innerX1 = sx1 - line;
	const innerY0 = headerBottom + line,
		innerY1 = sy1 - line;
	const cw = (innerX1 - innerX0 - line * (cols - 1)) / cols;
	const ch = (innerY1 - innerY0 - line * (rows - 1)) / rows;
	for (let c = 0; c < cols; c++) {
		for (let r = 0; r < rows; r++) {
			const cx0 = innerX0 + c * (cw + line);
			const cy0 = innerY0 + r * (ch + line);
			if (inRoundRect(u, v, cx0, cy0, cx0 + cw, cy0 + ch, 0.018)) return false; // blue cell
		}
	}
	return true; // grid line / border
}

/**
 * Colour of one sample point, [r, g, b, a] with a in 0..1.
 * @param {number} x @param {number} y @param {boolean} maskable
 */
function sample(x, y, maskable) {
	if (maskable) {
		// Full-bleed background; the glyph must sit inside the safe zone
		// (a centred circle of radius 0.4), so keep the sheet within ~0.58 of the width.
		const bs = 0.58; // corners at ~0.34 from centre < 0.4
		const bx = (1 - bs) / 2;
		return glyph(x, y, bx, bs) ? [...WHITE, 1] : [...BLUE, 1];
	}
	// "any": rounded tile with transparent corners
	if (!inRoundRect(x, y, 0, 0, 1, 1, 0.18)) return [0, 0, 0, 0];
	const bs = 0.64;
	const bx = (1 - bs) / 2;
	return glyph(x, y, bx, bs) ? [...WHITE, 1] : [...BLUE, 1];
}

/** Render with 4×4 supersampling (premultiplied averaging) for smooth edges. */
function render(size, maskable) {
	const SS = 4;
	const px = new Uint8Array(size * size * 4);
	for (let py = 0; py < size; py++) {
		for (let pxl = 0; pxl < size; pxl++) {
			let r = 0,
				g = 0,
				b = 0,
				a = 0;
			for (let sy = 0; sy < SS; sy++) {
				for (let sx = 0; sx < SS; sx++) {
					const x = (pxl + (sx + 0.5) / SS) / size;
					const y = (py + (sy + 0.5) / SS) / size;
					const [cr, cg, cb, ca] = sample(x, y, maskable);
					r += cr * ca;
					g += cg * ca;
					b += cb * ca;
					a += ca;
				}
			}
			const i = (py * size + pxl) * 4;
			const n = SS * SS;
			if (a > 0) {
				px[i] = Math.round(r / a);
				px[i + 1] = Math.round(g / a);
				px[i + 2] = Math.round(b / a);
			}
			px[i + 3] = Math.round((a / n) * 255);
		}
	}
	return px;
}

const targets = [
	{ file: 'icon-192.png', size: 192, maskable: false },
	{ file: 'icon-512.png', size: 512, maskable: false },
	{ file: 'icon-maskable-512.png', size: 512, maskable: true }
];

mkdirSync(outDir, { recursive: true });
for (const { file, size, maskable } of targets) {
	const png = encodePng(size, render(size, maskable));
	writeFileSync(join(outDir, file), png);
	console.log(`wrote static/${file} (${size}×${size}, ${png.length} bytes)`);
}
