// Command line entry of the reference portal server:
//   tsx server/main.ts [--port N] [--host H] [--data FILE] [--state DIR] [--static DIR] [--faults] [limits]
// Validates the dataset before anything else (a bad file is a one-paragraph error, not a stack trace),
// starts the server, prints where to go and how to sign in, and flushes state on SIGINT/SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDataset, type Dataset } from '../src/lib/domain/dataset';
import { createPortalServer } from './app';
import { demoDataset } from './demo-data';

const USAGE = `usage: tsx server/main.ts [--port N] [--host H] [--data FILE] [--state DIR] [--static DIR] [--faults] [limits]
  --port    port to listen on (default 4173; 0 picks a free one)
  --host    address to bind (default 127.0.0.1)
  --data    dataset JSON that seeds a fresh state (default: the built-in demo dataset)
  --state   state directory (default .portal-state/); existing state wins over --data
  --static  built app to serve (default build/)
  --faults  enable the /api/__test/ endpoints and fault injection (tests only)
limits:
  --body-limit-kb N         largest accepted request body (default 1024)
  --session-idle-minutes N  sign-out after this long without a request (default 720)
  --signin-attempts N       failed sign-ins per username per window before 429 (default 5)
  --signin-attempts-per-address N  the same per remote address (default 20)
  --signin-window-minutes N the throttle's window (default 5)
  --history-days N          days an upload stays in the upload history (default 30)
  --large-change-percent N  ask the admin to confirm an upload changing more than N % of the parent's users (default 10)
  --large-change-min-users N  …and at least this many users (default 50)`;

function fail(message: string): never {
	console.error(message);
	process.exit(1);
}

function loadDataset(file: string | undefined): Dataset {
	if (!file) return demoDataset();
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (err) {
		fail(`Cannot read dataset ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (err) {
		fail(`Dataset ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
	}
	try {
		return parseDataset(json);
	} catch (err) {
		fail(`${file}: ${err instanceof Error ? err.message : String(err)}`);
	}
}

async function main(): Promise<void> {
	let values;
	try {
		({ values } = parseArgs({
			options: {
				port: { type: 'string', default: '4173' },
				host: { type: 'string', default: '127.0.0.1' },
				data: { type: 'string' },
				state: { type: 'string', default: '.portal-state' },
				static: { type: 'string', default: 'build' },
				faults: { type: 'boolean', default: false },
				'body-limit-kb': { type: 'string' },
				'session-idle-minutes': { type: 'string' },
				'signin-attempts': { type: 'string' },
				'signin-attempts-per-address': { type: 'string' },
				'signin-window-minutes': { type: 'string' },
				'history-days': { type: 'string' },
				'large-change-percent': { type: 'string' },
				'large-change-min-users': { type: 'string' },
				help: { type: 'boolean', short: 'h', default: false }
			},
			strict: true,
			allowPositionals: false
		}));
	} catch (err) {
		fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
	}
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const port = Number(values.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`);

	const positive = (name: string, raw: string | undefined): number | undefined => {
		if (raw === undefined) return undefined;
		const n = Number(raw);
		if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number above 0, got ${raw}`);
		return n;
	};
	const bodyKb = positive('body-limit-kb', values['body-limit-kb']);
	const idleMinutes = positive('session-idle-minutes', values['session-idle-minutes']);
	const perUsername = positive('signin-attempts', values['signin-attempts']);
	const perAddress = positive('signin-attempts-per-address', values['signin-attempts-per-address']);
	const windowMinutes = positive('signin-window-minutes', values['signin-window-minutes']);
	const historyDays = positive('history-days', values['history-days']);
	const largePercent = values['large-change-percent'];
	if (largePercent !== undefined && !(Number(largePercent) >= 0 && Number(largePercent) <= 100)) {
		fail(`--large-change-percent must be a number from 0 to 100, got ${largePercent}`);
	}
	const largeMinUsers = positive('large-change-min-users', values['large-change-min-users']);
	const rateLimit = {
		...(perUsername ? { perUsername } : {}),
		...(perAddress ? { perAddress } : {}),
		...(windowMinutes ? { windowMs: windowMinutes * 60_000 } : {})
	};

	const dataset = loadDataset(values.data);
	let portal;
	try {
		portal = await createPortalServer({
			dataset,
			port,
			host: values.host,
			stateDir: values.state,
			staticDir: values.static,
			faults: values.faults,
			...(bodyKb ? { bodyLimitBytes: bodyKb * 1024 } : {}),
			...(idleMinutes ? { sessionIdleMs: idleMinutes * 60_000 } : {}),
			...(historyDays ? { historyDays } : {}),
			largeChange: {
				...(largePercent !== undefined ? { percent: Number(largePercent) } : {}),
				...(largeMinUsers ? { minUsers: largeMinUsers } : {})
			},
			rateLimit
		});
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') fail(`Port ${port} on ${values.host} is already in use; pass --port with another number`);
		fail(`Cannot start: ${err instanceof Error ? err.message : String(err)}`);
	}

	const lines = [`Portal running at ${portal.url}/`];
	const stateDir = path.resolve(values.state);
	if (portal.store.seeded) lines.push(`State: ${stateDir} (new, seeded from ${values.data ?? 'the demo dataset'})`);
	else {
		lines.push(`State: ${stateDir} (existing state; the dataset only seeds a fresh state directory)`);
		if (portal.store.datasetDiffers) {
			lines.push(
				`  note: this state was seeded from a different dataset; delete ${stateDir} to start over from ${values.data ?? 'the demo dataset'}`
			);
		}
	}
	const parents = new Map(dataset.parents.map((p) => [p.accountId, p.name]));
	lines.push('Sign in with:');
	for (const a of dataset.admins) lines.push(`  ${a.username} / ${a.password}   (${parents.get(a.parentAccountId) ?? a.parentAccountId})`);
	if (!existsSync(path.join(values.static, 'index.html'))) {
		lines.push(`App not built (${path.resolve(values.static)} has no index.html): run npm run build`);
	}
	if (values.faults) lines.push('FAULTS ENABLED: /api/__test/ endpoints are open. Never use --faults outside tests.');
	console.log(lines.join('\n'));

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) {
			console.error(`${signal} again: exiting without waiting`);
			process.exit(1);
		}
		stopping = true;
		portal
			.close()
			.then(() => process.exit(0))
			.catch((err: unknown) => {
				console.error(`Error while saving state: ${err instanceof Error ? err.message : String(err)}`);
				process.exit(1);
			});
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => fail(`Cannot start: ${err instanceof Error ? err.message : String(err)}`));
