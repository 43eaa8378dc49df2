// The public surface, pinned. Each entry point's exports are listed here and in docs/api.md;
// widening or narrowing either is meant to be a deliberate change to this file and that page
// (docs/api.md, "Changing the surface"), never a side effect of an edit somewhere in src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);

interface Entry {
  /** The import specifier users write. */
  specifier: string;
  /** The entry file under src/. */
  source: string;
  values: string[];
  types: string[];
}

const ENTRIES: Entry[] = [
  {
    specifier: 'cachet',
    source: 'index.ts',
    values: [
      'ALL', 'BODY_DEFAULTS', 'Context', 'CookieCodec', 'CookieStore', 'EPOCH_SECONDS', 'FileStore', 'HttpError', 'Keyring',
      'LinearRouter', 'MAX_ATTRIBUTE_BYTES', 'MAX_CACHED_EPOCHS', 'MAX_COOKIE_AGE', 'MAX_COOKIE_BYTES', 'MemoryStore', 'RedisStore',
      'RingKey', 'Router', 'SERVER_DEFAULTS', 'STANDARD_METHODS', 'ServerSideStore', 'Session', 'SessionError', 'SessionTooLargeError',
      'chunkCookieName', 'concatBytes', 'cookieByteLength', 'createApp', 'createServer', 'csrf', 'decodeBase64url', 'encodeBase64url',
      'findCookie', 'fitsInCookie', 'generateKey', 'inspectValue', 'isCookieName', 'isCookieValue', 'joinCookieChunks', 'noStore',
      'parseCookies', 'prepareCookie', 'securityHeaders', 'serializeCookie', 'serializeCookieDeletion', 'shutdown', 'splitCookieValue',
      'staleChunkNames', 'utf8ByteLength', 'utf8Decode', 'utf8Encode',
    ],
    types: [
      'AccessLogEntry', 'App', 'AppLogger', 'AppOptions', 'BeforeSendHook', 'BodyOptions', 'ChunkOptions', 'Cluster', 'ClusterListenOptions',
      'CodecMode', 'CookieCodecOptions', 'CookieDeletionOptions', 'CookieOptions', 'CookiePriority', 'CookieStoreOptions', 'CsrfOptions',
      'DecodeErrorCode', 'DecodedValue', 'EncodeOptions', 'ErrorKind', 'FileStoreOptions', 'Handler', 'HttpErrorOptions', 'InspectedPart',
      'InspectedPartLabel', 'InspectedValue', 'InternalErrorCode', 'JsonValue', 'KeyInput', 'ListenOptions', 'LookupResult',
      'MemoryStoreOptions', 'Middleware', 'Next', 'Params', 'ParseCookiesOptions', 'RedisClientLike', 'RedisStoreOptions', 'RevocationInfo',
      'Route', 'RouterLike', 'RouterOptions', 'SameSite', 'SecurityHeadersOptions', 'ServerOptions', 'ServerStoreOptions', 'SessionContext',
      'SessionCookieAttributes', 'SessionCookieOptions', 'SessionErrorCode', 'SessionErrorOptions', 'SessionInfo', 'SessionStoreOptions',
      'SessionValues', 'ShutdownOptions', 'Store', 'UsageErrorCode', 'VerifiedCacheOptions',
    ],
  },
  {
    specifier: 'cachet/store-kit',
    source: 'store-kit.ts',
    values: [
      'CSRF_GUARD_OPTION_KEYS', 'CsrfGuard', 'SessionRegistry', 'SessionScope', 'VerifiedCache', 'keepsCookie', 'lifetime', 'randomId', 'renewalDue',
      'resolveStoreOptions', 'revocationReason', 'revocationVerdict', 'timeoutReason',
    ],
    types: ['CsrfGuardOptions', 'CsrfRequest', 'CsrfVerdict', 'ResolvedStoreOptions', 'SavePoint', 'SessionInit', 'SessionRecord', 'SessionScopeInit'],
  },
  {
    specifier: 'cachet/core',
    source: 'core.ts',
    values: [
      'CookieCodec', 'CookieStore', 'Keyring', 'MemoryStore', 'RingKey', 'ServerSideStore', 'Session', 'SessionError', 'SessionTooLargeError',
      'decodeBase64url', 'encodeBase64url', 'findCookie', 'generateKey', 'inspectValue', 'parseCookies', 'prepareCookie', 'serializeCookie',
      'serializeCookieDeletion', 'utf8Decode', 'utf8Encode',
    ],
    types: [
      'CodecMode', 'CookieCodecOptions', 'CookieDeletionOptions', 'CookieOptions', 'CookiePriority', 'CookieStoreOptions', 'DecodeErrorCode',
      'DecodedValue', 'EncodeOptions', 'ErrorKind', 'InspectedPart', 'InspectedPartLabel', 'InspectedValue', 'InternalErrorCode', 'JsonValue',
      'KeyInput', 'MemoryStoreOptions', 'ParseCookiesOptions', 'RevocationInfo', 'SameSite', 'ServerStoreOptions', 'SessionContext',
      'SessionCookieAttributes', 'SessionCookieOptions', 'SessionErrorCode', 'SessionErrorOptions', 'SessionInfo', 'SessionStoreOptions',
      'SessionValues', 'Store', 'UsageErrorCode',
    ],
  },
  {
    specifier: 'cachet/fetch',
    source: 'adapters/fetch/index.ts',
    values: ['withSessions'],
    types: ['SessionHandler', 'SessionTools', 'WithSessionsOptions'],
  },
  {
    specifier: 'cachet/fastify',
    source: 'adapters/fastify/index.ts',
    values: ['csrf', 'sessions'],
    types: ['FastifyCsrfHook', 'FastifyCsrfRequestLike', 'FastifyInstanceLike', 'FastifyReplyLike', 'FastifyRequestLike', 'FastifySessionsOptions', 'FastifySessionsPlugin', 'SessionRequest'],
  },
  {
    specifier: 'cachet/hono',
    source: 'adapters/hono/index.ts',
    values: ['csrf', 'csrfToken', 'sessions'],
    types: ['HonoContextLike', 'HonoMiddleware', 'HonoRequestLike', 'HonoSessionsOptions', 'SessionEnv', 'SessionVariables'],
  },
  {
    specifier: 'cachet/express',
    source: 'adapters/express/index.ts',
    values: ['csrf', 'sessions'],
    types: ['CsrfError', 'CsrfErrorCode', 'ExpressCsrfOptions', 'ExpressMiddleware', 'ExpressRequestLike', 'ExpressSessionsOptions', 'SessionRequest'],
  },
  {
    specifier: 'cachet/koa',
    source: 'adapters/koa/index.ts',
    values: ['csrf', 'sessions'],
    types: ['CsrfError', 'CsrfErrorCode', 'KoaContextLike', 'KoaCsrfContextLike', 'KoaCsrfMiddleware', 'KoaCsrfOptions', 'KoaMiddleware', 'KoaSessionsOptions', 'SessionFields'],
  },
];

/** The names an entry file re-exports, read from its `export { … } from` and `export type { … } from` lines. */
function declaredExports(source: string): { values: string[]; types: string[] } {
  const text = readFileSync(join(root, 'src', source), 'utf8');
  const values: string[] = [];
  const types: string[] = [];
  for (const m of text.matchAll(/^export (type )?\{([^}]*)\} from /gm)) {
    const names = (m[2] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
    (m[1] === undefined ? values : types).push(...names);
  }
  const statements = text.split('\n').filter((line) => /^export\b/.test(line));
  assert.ok(statements.every((line) => /^export (type )?\{[^}]*\} from '[^']+';$/.test(line)), `${source} re-exports and does nothing else`);
  return { values: values.sort(), types: types.sort() };
}

/** The section of docs/api.md for one entry point: from its `## \`specifier\`` heading to the next `## `. */
function apiSection(specifier: string): string {
  const doc = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
  const start = doc.indexOf(`\n## \`${specifier}\`\n`);
  assert.notEqual(start, -1, `docs/api.md has a section for ${specifier}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

for (const entry of ENTRIES) {
  test(`${entry.specifier} exports exactly the pinned names`, () => {
    const declared = declaredExports(entry.source);
    assert.deepEqual(declared.values, [...entry.values].sort());
    assert.deepEqual(declared.types, [...entry.types].sort());
  });

  test(`${entry.specifier} hands out exactly the pinned values at run time`, async () => {
    const mod = (await import(`../src/${entry.source}`)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mod).sort(), [...entry.values].sort());
  });

  test(`docs/api.md lists every export of ${entry.specifier}, one table row each, and no other`, () => {
    const section = apiSection(entry.specifier);
    const rows = [...section.matchAll(/^\| `([A-Za-z_][A-Za-z0-9_]*)` \|/gm)].map((m) => m[1] ?? '');
    assert.deepEqual(rows.sort(), [...entry.values, ...entry.types].sort());
  });
}

// `cachet/core` is a subset of `cachet` on purpose (the same bindings, without the Node server),
// and each framework adapter names its middleware `sessions` and `csrf`: the rule that a name has
// one home holds between the app's entry point and the integrators' one.
test('no name is exported by both cachet and cachet/store-kit', () => {
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const entry of ENTRIES.filter((e) => e.specifier === 'cachet' || e.specifier === 'cachet/store-kit')) {
    for (const name of [...entry.values, ...entry.types]) {
      const first = seen.get(name);
      if (first !== undefined) twice.push(`${name} (${first}, ${entry.specifier})`);
      seen.set(name, entry.specifier);
    }
  }
  assert.deepEqual(twice, []);
});

test('cachet/core hands out the very same bindings as cachet, and no Node-only store', async () => {
  const core = (await import('../src/core.js')) as Record<string, unknown>;
  const main = (await import('../src/index.js')) as Record<string, unknown>;
  for (const name of Object.keys(core)) assert.equal(core[name], main[name], `cachet/core's ${name} is cachet's ${name}`);
  const main_ = ENTRIES.find((e) => e.specifier === 'cachet');
  const coreEntry = ENTRIES.find((e) => e.specifier === 'cachet/core');
  assert.ok(main_ !== undefined && coreEntry !== undefined);
  for (const name of coreEntry.types) assert.ok(main_.types.includes(name), `cachet exports the type ${name} too`);
  for (const name of ['FileStore', 'RedisStore', 'createApp', 'createServer']) assert.equal(name in core, false, `${name} is not in cachet/core`);
});

test('package.json maps each entry point to its built module and types, and exposes nothing else', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const expected: Record<string, unknown> = { './package.json': './package.json' };
  for (const entry of ENTRIES) {
    const subpath = entry.specifier === pkg.name ? '.' : `.${entry.specifier.slice(pkg.name.length)}`;
    const built = `./dist/${entry.source.replace(/\.ts$/, '')}`;
    expected[subpath] = { types: `${built}.d.ts`, import: `${built}.js` };
  }
  assert.deepEqual(pkg.exports, expected);
});
