// (k) Save row on a 100,000-row preview: from the click on Save row until the counts have changed on
// screen (the Summary list's text, then the next frame), for edits that make two rows duplicates of each
// other and back (the rules across rows, through the worker's indexes), and the longest main-thread task
// while saving. Runs in the page, so Playwright's round trips are not in the figure.

/** `pairs` × 2 saves: row b takes row a's Account ID and Username (both fail), then gets its own back. */
export async function measureRowEdits(page, { pairs = 5 } = {}) {
	return page.evaluate(async (pairs) => {
		const dialog = document.querySelector('dialog[open]');
		const summary = dialog?.querySelector('ul[aria-label="Summary"]');
		if (!dialog || !summary) throw new Error('the preview is not open');
		const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
		const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
		const waitFor = async (test, what, ms = 10_000) => {
			const until = performance.now() + ms;
			while (!test()) {
				if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
				await sleep(5);
			}
		};
		const rowOf = (n) => dialog.querySelector(`button[data-edit-row="${n}"]`)?.closest('tr');
		const cellsOf = (n) => {
			const cells = rowOf(n)?.querySelectorAll('td');
			if (!cells) throw new Error(`row ${n} is not on the preview's first page`);
			return { accountId: cells[1].textContent.trim(), username: cells[2].textContent.trim() };
		};
		const input = (form, label) =>
			[...form.querySelectorAll('label')].find((l) => l.textContent.trim().startsWith(label))?.querySelector('input');
		const set = (form, label, value) => {
			const el = input(form, label);
			el.value = value;
			el.dispatchEvent(new Event('input', { bubbles: true }));
		};

		async function save(row, values, kind) {
			rowOf(row).querySelector('button[data-edit-row]').click();
			await waitFor(() => dialog.querySelector('form.editor'), 'the editor');
			const form = dialog.querySelector('form.editor');
			for (const [label, value] of Object.entries(values)) set(form, label, value);
			await nextFrame();
			const before = summary.textContent;
			let changedAt;
			const observer = new MutationObserver(() => {
				if (changedAt === undefined && summary.textContent !== before) changedAt = performance.now();
			});
			observer.observe(summary, { subtree: true, childList: true, characterData: true });
			const button = [...form.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Save row');
			const started = performance.now();
			button.click();
			await waitFor(() => changedAt !== undefined, `the counts after saving row ${row}`);
			const shownAt = await nextFrame();
			observer.disconnect();
			await waitFor(() => !dialog.querySelector('form.editor'), 'the editor to close');
			const counts = summary.textContent.replace(/\s+/g, ' ').trim();
			await sleep(150); // an admin reads the new counts before the next edit
			return { row, kind, countsMs: changedAt - started, frameMs: shownAt - started, counts };
		}

		performance.mark('bench:row-edits');
		const startedAt = performance.now();
		const saves = [];
		for (let k = 0; k < pairs; k++) {
			const a = 2 + 2 * k;
			const b = a + 1;
			const own = cellsOf(b);
			const twin = cellsOf(a);
			saves.push(await save(b, { 'Account ID': twin.accountId, Username: twin.username }, 'duplicate'));
			saves.push(await save(b, { 'Account ID': own.accountId, Username: own.username }, 'fixed'));
		}
		const endedAt = performance.now();
		performance.mark('bench:row-edits-end');
		const tasks = window.__bench.longtasks.filter((t) => t.start >= startedAt && t.start <= endedAt);
		return {
			saves,
			longestTaskMs: tasks.reduce((max, t) => Math.max(max, t.duration), 0),
			longTasks: tasks.map((t) => ({ start: t.start - startedAt, duration: t.duration }))
		};
	}, pairs);
}
