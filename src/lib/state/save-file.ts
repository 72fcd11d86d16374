// Hands a file made in the worker to the browser as a download. The Blob already holds the bytes
// (made off the main thread), so this only creates a URL for it and clicks a link.
export function saveFile(blob: Blob, fileName: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = fileName;
	a.rel = 'noopener';
	document.body.append(a);
	a.click();
	a.remove();
	// Revoking at once can cancel the download in some browsers; a minute is plenty.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
