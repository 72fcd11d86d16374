// The app's single spreadsheet worker, shared by every screen.
import { SpreadsheetWorkerClient } from '../spreadsheet/worker-client';

export const spreadsheets = new SpreadsheetWorkerClient();
