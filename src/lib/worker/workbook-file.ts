// A finished workbook as the page receives it: a Blob made in the worker, so the page gets a handle and
// never copies the bytes (copying a large workbook into a Blob on the page is a long main-thread task).

export interface WorkbookFile {
	fileName: string;
	blob: Blob;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function workbook(fileName: string, bytes: Uint8Array): WorkbookFile {
	return { fileName, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: XLSX_TYPE }) };
}
