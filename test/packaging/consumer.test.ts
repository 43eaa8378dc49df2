// What a project that depends on cachet gets: the packed tarball and a git dependency, both built
// by the `prepare` script from an unbuilt copy of this working tree; then the declaration maps into
// the shipped src/, `npx cachet keys list`, `cachet serve` (its first-start hint names `npx cachet`,
// not an npm script the project lacks), a TypeScript consumer that type-checks, and the ESM-only
// import the README promises.
// Offline: npm reads only its cache (filled by this repository's own install), and the
// type-check uses this repository's typescript and @types/node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const npmMissing = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0;
const skip = npmMissing ? 'npm is not installed here, and this test is about what npm does' : false;
// Offline, and quiet about audits and funding; npm's output is kept for the failure message.
const NPM = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];
const env = { ...process.env, NODE_ENV: '', CACHET_KEYS: '', CACHET_DATA_DIR: '', npm_config_update_notifier: 'false' };

function run(cmd: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** An unbuilt copy of the working tree (tracked and new files, no dist/), committed as a git repo. */
function snapshot(dir: string): string {
  const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root).split('\0').filter((f) => f !== '');
  for (const file of files) {
    try {
      cpSync(join(root, file), join(dir, file), { recursive: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted, not yet committed
    }
  }
  const git = ['-c', 'user.name=cachet-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];
  run('git', ['init', '-q'], dir);
  run('git', ['add', '-A'], dir);
  run('git', [...git, 'commit', '-q', '-m', 'snapshot'], dir);
  // The build needs the devDependencies; git ignores node_modules/, so the clone npm makes does not see this.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// One unbuilt copy serves both tests (made at load time, so the file's cleanup removes it).
const source = skip === false ? snapshot(join(tempDir('cachet-src-'), 'source')) : '';

function consumer(dir: string): string {
  mkdirSync(dir);
  run('npm', ['init', '-y'], dir);
  return dir;
}

function serveOnce(project: string, dataDir: string): Promise<{ hint: string; login: number; stopped: string; code: number | null }> {
  // The bin itself (what npx runs), so that SIGTERM reaches the server and not an npm wrapper.
  const child = spawn(join(project, 'node_modules/.bin/cachet'), ['serve', '--port', '0', '--data-dir', dataDir], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolvePromise, reject) => {
    let login = 0;
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+) /.exec(text);
      if (match !== null && login === 0) {
        login = -1;
        fetch(`${match[1]}/login`).then(
          (res) => {
            login = res.status;
            child.kill('SIGTERM');
          },
          (err: unknown) => {
            child.kill('SIGKILL');
            reject(err);
          },
        );
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      const hint = /set another with: (.*)\)/.exec(text)?.[1] ?? text;
      const stopped = /cachet: stopped[^\n]*/.exec(text)?.[0] ?? text;
      resolvePromise({ hint, login, stopped, code });
    });
  });
}

test('a consumer installs the packed tarball, runs npx cachet, and type-checks against it', { skip, timeout: 120_000 }, async () => {
  const work = tempDir('cachet-pack-');
  // npm pack on an unbuilt tree: `prepare` builds dist/ first.
  run('npm', ['pack', ...NPM, '--pack-destination', work], source);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  const listed = run('tar', ['-tzf', join(work, tarball)], work).split('\n');
  assert.ok(listed.includes('package/dist/index.js'), 'the tarball has dist/index.js');
  assert.ok(listed.includes('package/dist/cli/cachet.js'), 'the tarball has the bin');
  // Every source map points at ../src/*.ts (or deeper): those files must ship too.
  assert.ok(listed.includes('package/src/index.ts'), 'the tarball has the sources its maps point at');

  const project = consumer(join(work, 'app'));
  run('npm', ['install', ...NPM, join(work, tarball)], project);

  // Every declaration file has a declaration map into the shipped src/, so that an editor's
  // "Go to Definition" on a cachet name opens the TypeScript source, not the .d.ts.
  const installed = join(project, 'node_modules/cachet');
  const declarations = listed.filter((f) => f.startsWith('package/dist/') && f.endsWith('.d.ts'));
  assert.ok(declarations.length > 0, 'the tarball has declarations');
  const unmapped = declarations.filter((f) => !listed.includes(`${f}.map`));
  assert.deepEqual(unmapped, [], 'declarations without a declaration map');
  for (const declaration of declarations) {
    const path = join(installed, declaration.slice('package/'.length));
    const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] };
    for (const source of map.sources) assert.ok(listed.includes(`package/${relative(installed, resolve(dirname(path), source))}`), `${declaration}.map points at ${source}, which ships`);
  }

  const data = join(work, 'data');
  assert.match(run('npx', ['--offline', 'cachet', 'keys', 'generate'], project, { CACHET_DATA_DIR: data }), /created .*keys\.json with primary key/);
  assert.match(run('npx', ['--offline', 'cachet', 'keys', 'list'], project, { CACHET_DATA_DIR: data }), /^ID +CREATED +STATE +NOTE\n\S+ +\S+ +primary +seals new cookies\n$/);

  const served = await serveOnce(project, data);
  assert.equal(served.login, 200);
  assert.equal(served.hint, 'npx cachet users add demo');
  assert.equal(served.stopped, 'cachet: stopped; 0 of 0 request(s) in flight finished');
  assert.equal(served.code, 0);

  // A TypeScript consumer, with this repository's compiler and Node types.
  writeFileSync(
    join(project, 'main.ts'),
    `import { CookieCodec, Keyring } from 'cachet';\nimport { VerifiedCache, type ResolvedStoreOptions } from 'cachet/store-kit';\nconst keyring: Keyring = await Keyring.create([{ id: 'k1', secret: 'x'.repeat(43) }]);\nexport const codec = new CookieCodec({ keyring, mode: 'sealed' });\nexport const cache = new VerifiedCache<string>({ maxEntries: 10 });\nexport type Options = ResolvedStoreOptions;\n`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
      files: ['main.ts'],
    }),
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')), type: 'module' }));
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);

  // ESM only, as the README's first lines say: import works, require() is refused by "exports".
  assert.equal(run(process.execPath, ['--input-type=module', '-e', "import('cachet').then((m) => console.log(typeof m.CookieCodec))"], project).trim(), 'function');
  // The integrators' subpath (docs/api.md) resolves by package name too.
  assert.equal(run(process.execPath, ['--input-type=module', '-e', "import('cachet/store-kit').then((m) => console.log(typeof m.VerifiedCache))"], project).trim(), 'function');
  const required = spawnSync(process.execPath, ['-e', "require('cachet')"], { cwd: project, env, encoding: 'utf8' });
  assert.notEqual(required.status, 0);
  assert.match(required.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test('a consumer installs cachet as a git dependency, which prepare builds', { skip, timeout: 120_000 }, () => {
  const work = tempDir('cachet-git-');
  const project = consumer(join(work, 'app'));
  run('npm', ['install', ...NPM, `git+file://${source}`], project);
  const data = join(work, 'data');
  run('npx', ['--offline', 'cachet', 'keys', 'generate'], project, { CACHET_DATA_DIR: data });
  assert.match(run('npx', ['--offline', 'cachet', 'keys', 'list'], project, { CACHET_DATA_DIR: data }), / primary +seals new cookies\n$/);
  assert.equal(run(process.execPath, ['--input-type=module', '-e', "import('cachet').then((m) => console.log(typeof m.Keyring))"], project).trim(), 'function');
});
