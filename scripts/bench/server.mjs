// Starts the reference portal server (tsx server/main.ts) on a free port with a fresh state dir.
import { spawn } from 'node:child_process';
import path from 'node:path';

export async function startServer({ dataFile, stateDir, staticDir, log = () => {} }) {
	const tsx = path.resolve('node_modules/.bin/tsx');
	const child = spawn(tsx, ['server/main.ts', '--port', '0', '--data', dataFile, '--state', stateDir, '--static', staticDir], {
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${output}`)), 120_000);
		const onData = (chunk) => {
			output += chunk;
			const match = /Portal running at (http:\/\/\S+?)\/?\s/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before starting:\n${output}`));
		});
	});
	child.stdout.on('data', () => {});
	child.stderr.on('data', (chunk) => log(`server: ${String(chunk).trim()}`));
	return {
		url,
		pid: child.pid,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		}
	};
}
