// A child process that runs one retention pass and freezes at a chosen step (after that step
// was recorded), printing "PAUSED <step>" so the parent test can kill -9 it right there.
// argv: <store adapter> <locator> <object store JSON> <step> <now ms>
import { createManualClock } from '../../src/internal/clock.js';
import { archiveEngine, archiveTestConfig } from './archive-setup.js';
import { STORE_ADAPTERS } from './store-adapters.js';

const [adapterName, locator, objectsJson, stopAt, nowText] = process.argv.slice(2);
const adapter = STORE_ADAPTERS.find((a) => a.name === adapterName);
if (!adapter || !locator || !objectsJson || !stopAt || !nowText) {
  process.stderr.write('usage: archive-crash-child <adapter> <locator> <objects> <step> <now>\n');
  process.exit(2);
}
const store = await adapter.open(locator);
const { engine, archive } = archiveEngine(
  store,
  archiveTestConfig(JSON.parse(objectsJson)),
  createManualClock(Number(nowText)),
  {
    onStep: async (step, m) => {
      if (step !== stopAt) return;
      process.stdout.write(`PAUSED ${step} ${m.day} ${m.deletedRecords}\n`);
      await new Promise(() => {}); // frozen until killed
    },
  },
);
await engine.open();
await archive.archiver.run();
process.stdout.write('FINISHED\n');
process.exit(0);
