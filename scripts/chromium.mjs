// Finds a Chromium for Playwright: $CHROMIUM_PATH, Debian's /usr/bin/chromium, or Playwright's own.
// Playwright cannot download browsers on this network, so as root with apt-get we install Debian's.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

function playwrightOwn() {
	try {
		const path = createRequire(import.meta.url)('playwright-core').chromium.executablePath();
		return path && existsSync(path) ? path : undefined;
	} catch {
		return undefined;
	}
}

function canInstall() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
	try {
		execSync('command -v apt-get', { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

export function findChromium({ install = false } = {}) {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
	for (const path of candidates) if (existsSync(path)) return path;
	const own = playwrightOwn();
	if (own) return own;
	if (install && canInstall()) {
		console.log('Chromium not found: installing Debian\u2019s chromium with apt-get\u2026');
		execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
		if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
	}
	return undefined;
}

export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage'
];
