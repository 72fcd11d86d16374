// Hands bytes made in the worker to the browser as a download.
export function saveFile(bytes: ArrayBuffer, fileName: string, type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'): void {
	const url = URL.createObjectURL(new Blob([bytes], { type }));
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
