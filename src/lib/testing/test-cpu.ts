// Test helper (not used by the app): time budgets in unit tests count CPU time, not wall-clock time.
// On a busy 2-core CI machine a test can wait seconds for the processor without being slow itself;
// code that loops still burns CPU and fails the budget. Vitest runs each test file in its own process.

export function cpuStart(): NodeJS.CpuUsage {
	return process.cpuUsage();
}

/** CPU milliseconds this process used since `start`. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}
