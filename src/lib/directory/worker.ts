// Entry point of the directory worker: answers the Users screen's searches and pages from an
// in-memory index of the local users.
/// <reference lib="webworker" />
import { expose } from '../rpc/worker-rpc';
import { loadAllUsers } from '../storage/users-repo';
import { describeDirectoryError, directoryHandlers } from './handlers';
import { DirectoryService } from './service';

expose(directoryHandlers(new DirectoryService(() => loadAllUsers())), { describeError: describeDirectoryError });
