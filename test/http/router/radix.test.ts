import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../../src/http/router/radix.js';
import { runRouterConformance } from './router.case.js';

runRouterConformance('Router', (options) => new Router<string>(options));

describe('Router internals', () => {
  it('prints the tree with static edges, then params, then wildcards', () => {
    const router = new Router<string>()
      .add('GET', '/users/:id', 'a')
      .add('POST', '/users/:id', 'b')
      .add('GET', '/users/me', 'c')
      .add('GET', '/users/:id/posts', 'd')
      .add('GET', '/static/*', 'e')
      .add('ALL', '/', 'f');
    assert.equal(
      router.prettyPrint(),
      [
        '└── / (ALL)',
        '    ├── static/',
        '    │   └── * (GET)',
        '    └── users/',
        '        ├── me (GET)',
        '        └── :id (GET, POST)',
        '            └── /posts (GET)',
      ].join('\n'),
    );
  });

  it('prints a param after static text under that text, with every name routes give it', () => {
    const router = new Router<string>().add('GET', '/v:version', 'a').add('POST', '/v:release', 'b').add('GET', '/vault', 'c');
    assert.equal(
      router.prettyPrint(),
      ['└── /v', '    ├── ault (GET)', '    └── :version|:release (GET, POST)'].join('\n'),
    );
  });

  it('returns one shared frozen result for a static route, without allocating', () => {
    const router = new Router<string>().add('GET', '/a', 'a');
    const first = router.lookup('GET', '/a');
    assert.equal(router.lookup('GET', '/a'), first);
    assert.ok(Object.isFrozen(first));
    assert.ok(first.kind === 'found' && Object.isFrozen(first.params));
  });

  it('splits a shared edge without losing the routes on either side', () => {
    const router = new Router<string>().add('GET', '/abc/:x', 'long').add('GET', '/abd', 'short').add('GET', '/ab', 'shorter');
    assert.equal(router.find('GET', '/abc/1')?.handler, 'long');
    assert.equal(router.find('GET', '/abd')?.handler, 'short');
    assert.equal(router.find('GET', '/ab')?.handler, 'shorter');
    assert.equal(router.find('GET', '/abc')?.handler, undefined);
  });

  it('grows its param buffer for routes with many params', () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const router = new Router<string>().add('GET', `/${names.map((n) => `:${n}`).join('/')}/*`, 'deep');
    const hit = router.find('GET', `/${names.join('/')}/rest/of/it`);
    assert.equal(hit?.params['p11'], 'p11');
    assert.equal(hit?.params['*'], 'rest/of/it');
  });
});

// Regression tests, named after what broke.
describe('Router regressions', () => {
  it('accepts GET /* beside GET / (the duplicate check looked at the root route, not the wildcard)', () => {
    const router = new Router<string>().add('GET', '/', 'root');
    assert.doesNotThrow(() => router.add('GET', '/*', 'rest'));
    assert.equal(router.find('GET', '/')?.handler, 'root');
    assert.equal(router.find('GET', '/x')?.handler, 'rest');
  });
});
