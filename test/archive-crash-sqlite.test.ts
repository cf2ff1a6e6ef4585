// kill -9 in the middle of a retention pass on SQLite with a folder: see helpers/archive-crash-suite.ts.
import { defineArchiveCrashSuite } from './helpers/archive-crash-suite.js';

defineArchiveCrashSuite('sqlite', 'folder');
