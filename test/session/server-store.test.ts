import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FileRecords } from '../../src/session/file-records-store.js';
import { MemoryRecords } from '../../src/session/memory-records.js';
import { hmacIdCodec, TestServerStore } from './server-store-fixture.js';
import { type CaseValues, runStoreCases } from './store.case.js';

const codec = await hmacIdCodec();
const root = mkdtempSync(join(tmpdir(), 'cachet-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

runStoreCases({
  name: 'server-side (memory backend)',
  serverSide: true,
  create: (options) => new TestServerStore<CaseValues>(new MemoryRecords({ maxEntries: 100, now: options.now }), codec, options),
});

runStoreCases({
  name: 'server-side (file backend)',
  serverSide: true,
  create: (options) =>
    new TestServerStore<CaseValues>(
      new FileRecords({ dir: join(root, String(n++)), now: options.now, sweepInterval: 0, durable: false, onStoreError: () => undefined }),
      codec,
      options,
    ),
});
