// Loads the app in stages, each in its own task. Evaluating the whole app (Dexie, zod and the protocol
// schemas, every screen) as one module graph makes one long task at page load on a slow laptop (the
// README's Performance section has the figures); split like this no step blocks input for long.
// Each stage is a module the app imports anyway: importing it here first only decides when it runs.

/** Yields to the event loop so the next stage starts in a fresh task (input and rendering go first). */
function nextTask(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function loadInStages<T>(app: () => Promise<T>): Promise<T> {
	await nextTask(); // after the first paint of "Loading…"
	// The first number format and string comparison load ICU data: tens of ms, better here than
	// inside the first render of a table or progress bar.
	(1234).toLocaleString('en-US');
	'a'.localeCompare('b');
	await nextTask();
	await import('../storage/db'); // Dexie
	await nextTask();
	await import('../sync/protocol'); // zod and the wire schemas
	await nextTask();
	const loaded = await app();
	await nextTask();
	return loaded;
}
