// Entry point of the data worker (see handlers.ts for what it does).
/// <reference lib="webworker" />
import { expose } from '../rpc/worker-rpc';
import { dataHandlers, describeDataError, type DataProgress } from './handlers';

expose<DataProgress>(dataHandlers, { describeError: describeDataError });
