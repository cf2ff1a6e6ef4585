// kill -9 in the middle of a retention pass on PostgreSQL with an S3-compatible server (s3rver): see helpers/archive-crash-suite.ts.
import { defineArchiveCrashSuite } from './helpers/archive-crash-suite.js';

defineArchiveCrashSuite('postgres', 's3');
