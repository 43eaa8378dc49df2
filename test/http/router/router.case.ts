// The conformance suite every router runs: `runRouterConformance(name, factory)`.
// Test files call it once per implementation (linear.test.ts, radix.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupResult, RouterLike, RouterOptions } from '../../../src/http/router/types.js';

export type RouterFactory = (options?: RouterOptions) => RouterLike<string>;

function params(object: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, object);
}

function found(handler: string, route: string, p: Record<string, string> = {}): LookupResult<string> {
  return { kind: 'found', handler, params: params(p), route };
}

export function runRouterConformance(name: string, factory: RouterFactory): void {
  const table = (...routes: [string, string][]): RouterLike<string> => {
    const router = factory();
    for (const [method, path] of routes) router.add(method, path, `${method} ${path}`);
    return router;
  };

  describe(`${name}: static routes`, () => {
    it('matches static paths byte for byte', () => {
      const r = table(['GET', '/'], ['GET', '/about'], ['GET', '/a/b/c']);
      assert.deepEqual(r.lookup('GET', '/'), found('GET /', '/'));
      assert.deepEqual(r.lookup('GET', '/about'), found('GET /about', '/about'));
      assert.deepEqual(r.lookup('GET', '/a/b/c'), found('GET /a/b/c', '/a/b/c'));
      assert.deepEqual(r.lookup('GET', '/About'), { kind: 'not-found' });
      assert.deepEqual(r.lookup('GET', '/%61bout'), { kind: 'not-found' });
      assert.deepEqual(r.lookup('GET', '/abou'), { kind: 'not-found' });
      assert.deepEqual(r.lookup('GET', '/aboutx'), { kind: 'not-found' });
      assert.deepEqual(r.lookup('GET', '/a/b'), { kind: 'not-found' });
    });

    it('treats a trailing slash as a different route', () => {
      const r = table(['GET', '/a'], ['GET', '/b/']);
      assert.equal(r.lookup('GET', '/a/').kind, 'not-found');
      assert.equal(r.lookup('GET', '/b').kind, 'not-found');
      assert.deepEqual(r.lookup('GET', '/b/'), found('GET /b/', '/b/'));
    });

    it('finds nothing for paths that do not start with a slash', () => {
      const r = table(['GET', '/'], ['GET', '/*']);
      for (const path of ['', '*', 'a', 'http://evil/x']) assert.deepEqual(r.lookup('GET', path), { kind: 'not-found' });
    });

    it('lets no dot or empty segment escape into another route', () => {
      const r = table(['GET', '/x'], ['GET', '/files/:name']);
      for (const path of ['/../x', '/%2e%2e/x', '//evil/x', '/files/../x', '//x', '/files//']) {
        assert.equal(r.lookup('GET', path).kind, 'not-found', path);
      }
      assert.deepEqual(r.lookup('GET', '/files/..'), found('GET /files/:name', '/files/:name', { name: '..' }));
    });

    it('matches static segments that carry percent escapes and escaped colons as written', () => {
      const r = table(['GET', '/caf%C3%A9'], ['GET', '/a::b/@c'], ['GET', '/::'], ['GET', '/v1/users::batch']);
      assert.equal(r.lookup('GET', '/caf%C3%A9').kind, 'found');
      assert.equal(r.lookup('GET', '/caf%c3%a9').kind, 'not-found');
      assert.deepEqual(r.lookup('GET', '/a:b/@c'), found('GET /a::b/@c', '/a::b/@c'));
      assert.equal(r.lookup('GET', '/a::b/@c').kind, 'not-found');
      assert.deepEqual(r.lookup('GET', '/:'), found('GET /::', '/::'));
      assert.deepEqual(r.lookup('GET', '/v1/users:batch'), found('GET /v1/users::batch', '/v1/users::batch'));
    });
  });

  describe(`${name}: params and wildcards`, () => {
    it('captures named params into a null-prototype object', () => {
      const r = table(['GET', '/users/:id'], ['GET', '/users/:id/posts/:post']);
      const result = r.lookup('GET', '/users/42/posts/7');
      assert.deepEqual(result, found('GET /users/:id/posts/:post', '/users/:id/posts/:post', { id: '42', post: '7' }));
      assert.ok(result.kind === 'found');
      assert.equal(Object.getPrototypeOf(result.params), null);
    });

    it('never matches a param to an empty segment', () => {
      const r = table(['GET', '/users/:id'], ['GET', '/:a/:b']);
      assert.equal(r.lookup('GET', '/users/').kind, 'not-found');
      assert.equal(r.lookup('GET', '//x').kind, 'not-found');
      assert.equal(r.lookup('GET', '/x/').kind, 'not-found');
    });

    it('treats __proto__ as an ordinary param name', () => {
      const r = table(['GET', '/p/:__proto__']);
      const result = r.lookup('GET', '/p/x');
      assert.ok(result.kind === 'found');
      assert.equal(result.params['__proto__'], 'x');
      assert.equal(Object.getPrototypeOf(result.params), null);
    });

    it('percent-decodes params after matching, keeping %2F inside the param', () => {
      const r = table(['GET', '/files/:name/raw']);
      assert.deepEqual(r.lookup('GET', '/files/a%2Fb/raw'), found('GET /files/:name/raw', '/files/:name/raw', { name: 'a/b' }));
      assert.deepEqual(r.lookup('GET', '/files/caf%C3%A9/raw'), found('GET /files/:name/raw', '/files/:name/raw', { name: 'café' }));
      assert.deepEqual(r.lookup('GET', '/files/a+b/raw'), found('GET /files/:name/raw', '/files/:name/raw', { name: 'a+b' }));
    });

    it('captures the rest of the path, slashes included, in a trailing wildcard', () => {
      const r = table(['GET', '/static/*'], ['GET', '/*']);
      assert.deepEqual(r.lookup('GET', '/static/css/site.css'), found('GET /static/*', '/static/*', { '*': 'css/site.css' }));
      assert.deepEqual(r.lookup('GET', '/static/'), found('GET /static/*', '/static/*', { '*': '' }));
      assert.deepEqual(r.lookup('GET', '/static'), found('GET /*', '/*', { '*': 'static' }));
      assert.deepEqual(r.lookup('GET', '/'), found('GET /*', '/*', { '*': '' }));
      assert.deepEqual(r.lookup('GET', '/a%20b/c'), found('GET /*', '/*', { '*': 'a b/c' }));
    });

    it('gives bad-request for a malformed escape in a param and never throws', () => {
      const r = table(['GET', '/:x'], ['GET', '/w/*']);
      for (const path of ['/%', '/%E0%A4%A', '/%zz', '/%C3', '/%ED%A0%80', '/w/%', '/w/a/%G0']) {
        assert.deepEqual(r.lookup('GET', path), { kind: 'bad-request', reason: 'bad-escape' }, path);
        assert.equal(r.find('GET', path), null);
      }
    });

    it('gives not-found, not bad-request, for a bad escape on a static-only table', () => {
      const r = table(['GET', '/a']);
      assert.deepEqual(r.lookup('GET', '/%'), { kind: 'not-found' });
    });

    it('gives bad-request for a param longer than maxParamLength', () => {
      const r = factory({ maxParamLength: 5 });
      r.add('GET', '/p/:x', 'p').add('GET', '/w/*', 'w');
      assert.equal(r.lookup('GET', '/p/12345').kind, 'found');
      assert.deepEqual(r.lookup('GET', '/p/123456'), { kind: 'bad-request', reason: 'param-too-long' });
      assert.equal(r.lookup('GET', '/w/1/345').kind, 'found');
      assert.deepEqual(r.lookup('GET', '/w/1/3456'), { kind: 'bad-request', reason: 'param-too-long' });
      // The limit is on the raw value: '%41%41' is 6 characters even though it decodes to 'AA'.
      assert.deepEqual(r.lookup('GET', '/p/%41%41'), { kind: 'bad-request', reason: 'param-too-long' });
    });

    it('applies a default maxParamLength of 500', () => {
      const r = table(['GET', '/p/:x']);
      assert.equal(r.lookup('GET', `/p/${'a'.repeat(500)}`).kind, 'found');
      assert.deepEqual(r.lookup('GET', `/p/${'a'.repeat(501)}`), { kind: 'bad-request', reason: 'param-too-long' });
    });

    it('rejects a maxParamLength that is not a positive integer', () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => factory({ maxParamLength: bad }), TypeError);
    });
  });

  describe(`${name}: params after static text in a segment`, () => {
    it('captures a param that follows static text, up to the end of its segment', () => {
      const r = table(['GET', '/prefix-:id'], ['GET', '/foo/my-:param'], ['GET', '/v:version/status']);
      assert.deepEqual(r.lookup('GET', '/prefix-42'), found('GET /prefix-:id', '/prefix-:id', { id: '42' }));
      assert.deepEqual(r.lookup('GET', '/foo/my-thing'), found('GET /foo/my-:param', '/foo/my-:param', { param: 'thing' }));
      assert.deepEqual(r.lookup('GET', '/v2/status'), found('GET /v:version/status', '/v:version/status', { version: '2' }));
      assert.deepEqual(r.lookup('GET', '/prefix-a%2Fb'), found('GET /prefix-:id', '/prefix-:id', { id: 'a/b' }));
      for (const path of ['/prefix-', '/prefix-1/x', '/foo/my-', '/foo/my', '/v/status', '/prefix42', '/Prefix-1']) {
        assert.deepEqual(r.lookup('GET', path), { kind: 'not-found' }, path);
      }
    });

    it('ranks a longer static prefix above a shorter one, static above both, and a bare param below', () => {
      const r = table(['GET', '/:page'], ['GET', '/v:version'], ['GET', '/v1:minor'], ['GET', '/v1x'], ['GET', '/*']);
      assert.equal(r.find('GET', '/v1x')?.handler, 'GET /v1x');
      assert.deepEqual(r.lookup('GET', '/v1y'), found('GET /v1:minor', '/v1:minor', { minor: 'y' }));
      assert.deepEqual(r.lookup('GET', '/v1'), found('GET /v:version', '/v:version', { version: '1' }));
      assert.deepEqual(r.lookup('GET', '/v2'), found('GET /v:version', '/v:version', { version: '2' }));
      assert.deepEqual(r.lookup('GET', '/v'), found('GET /:page', '/:page', { page: 'v' }));
      assert.deepEqual(r.lookup('GET', '/about'), found('GET /:page', '/:page', { page: 'about' }));
      assert.deepEqual(r.lookup('GET', '/v2/x'), found('GET /*', '/*', { '*': 'v2/x' }));
    });

    it('backtracks from a prefixed param into a bare one on a later segment', () => {
      const r = table(['GET', '/v:version/a'], ['GET', '/:page/b']);
      assert.deepEqual(r.lookup('GET', '/v1/b'), found('GET /:page/b', '/:page/b', { page: 'v1' }));
      assert.deepEqual(r.lookup('GET', '/v1/a'), found('GET /v:version/a', '/v:version/a', { version: '1' }));
    });

    it('counts a prefixed route in the Allow list of a path it matches', () => {
      const r = table(['POST', '/item-:id'], ['PUT', '/:name']);
      assert.deepEqual(r.lookup('GET', '/item-1'), { kind: 'method-not-allowed', allow: ['OPTIONS', 'POST', 'PUT'] });
      assert.deepEqual(r.lookup('PUT', '/item-1'), found('PUT /:name', '/:name', { name: 'item-1' }));
    });

    it('refuses static text after a param, with an error that says why', () => {
      const r = factory();
      for (const path of ['/:id.json', '/:lat-:lng', '/a-:x.y/z', '/:a:b']) {
        assert.throws(() => r.add('GET', path, 'x'), { name: 'TypeError', message: /runs to the end of its segment/ }, path);
      }
      assert.throws(() => r.add('GET', '/a:', 'x'), { name: 'TypeError', message: /'::'/ });
    });
  });

  describe(`${name}: priority and backtracking`, () => {
    it('prefers static over param over wildcard at each segment', () => {
      const r = table(['GET', '/u/me'], ['GET', '/u/:id'], ['GET', '/u/*']);
      assert.equal(r.find('GET', '/u/me')?.handler, 'GET /u/me');
      assert.equal(r.find('GET', '/u/you')?.handler, 'GET /u/:id');
      assert.equal(r.find('GET', '/u/you/x')?.handler, 'GET /u/*');
      assert.equal(r.find('GET', '/u/')?.handler, 'GET /u/*');
    });

    it('backtracks from a static branch into a param branch', () => {
      const r = table(['GET', '/a/b/d'], ['GET', '/a/:x/c']);
      assert.deepEqual(r.lookup('GET', '/a/b/c'), found('GET /a/:x/c', '/a/:x/c', { x: 'b' }));
    });

    it('backtracks through params into a shallower wildcard', () => {
      const r = table(['GET', '/a/:x/:y/z'], ['GET', '/a/b/c/d'], ['GET', '/a/*']);
      assert.deepEqual(r.lookup('GET', '/a/b/c/q'), found('GET /a/*', '/a/*', { '*': 'b/c/q' }));
      assert.deepEqual(r.lookup('GET', '/a/b/c/z'), found('GET /a/:x/:y/z', '/a/:x/:y/z', { x: 'b', y: 'c' }));
    });

    it('keeps the first segment decisive even when a later one is static', () => {
      const r = table(['GET', '/:a/x'], ['GET', '/s/:b']);
      assert.equal(r.find('GET', '/s/x')?.handler, 'GET /s/:b');
    });

    it('chooses by segment rank among routes that accept the method', () => {
      const r = table(['GET', '/users/me'], ['POST', '/users/:id'], ['PUT', '/users/*']);
      assert.deepEqual(r.lookup('POST', '/users/me'), found('POST /users/:id', '/users/:id', { id: 'me' }));
      assert.deepEqual(r.lookup('PUT', '/users/me'), found('PUT /users/*', '/users/*', { '*': 'me' }));
    });
  });

  describe(`${name}: methods`, () => {
    it('keeps handlers per method on one path', () => {
      const r = table(['GET', '/x'], ['POST', '/x'], ['PROPFIND', '/x']);
      assert.equal(r.find('GET', '/x')?.handler, 'GET /x');
      assert.equal(r.find('POST', '/x')?.handler, 'POST /x');
      assert.equal(r.find('PROPFIND', '/x')?.handler, 'PROPFIND /x');
    });

    it('answers HEAD with the GET handler unless HEAD has its own', () => {
      const r = table(['GET', '/a'], ['GET', '/b'], ['HEAD', '/b']);
      assert.equal(r.find('HEAD', '/a')?.handler, 'GET /a');
      assert.equal(r.find('HEAD', '/b')?.handler, 'HEAD /b');
    });

    it('answers the standard methods with ALL, after the specific handlers', () => {
      const r = table(['ALL', '/x'], ['GET', '/x']);
      assert.equal(r.find('GET', '/x')?.handler, 'GET /x');
      assert.equal(r.find('HEAD', '/x')?.handler, 'GET /x');
      assert.equal(r.find('DELETE', '/x')?.handler, 'ALL /x');
      assert.equal(r.find('OPTIONS', '/x')?.handler, 'ALL /x');
      assert.deepEqual(r.lookup('PROPFIND', '/x'), {
        kind: 'method-not-allowed',
        allow: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'],
      });
      assert.equal(r.lookup('ALL', '/x').kind, 'method-not-allowed');
      assert.equal(r.lookup('TRACE', '/x').kind, 'method-not-allowed');
    });

    it('gives method-not-allowed with the exact sorted Allow of every route matching the path', () => {
      const r = table(['POST', '/u/:id'], ['PUT', '/u/*'], ['GET', '/u/me'], ['DELETE', '/v']);
      assert.deepEqual(r.lookup('PATCH', '/u/me'), { kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'] });
      assert.deepEqual(r.lookup('PATCH', '/u/you'), { kind: 'method-not-allowed', allow: ['OPTIONS', 'POST', 'PUT'] });
      assert.deepEqual(r.lookup('OPTIONS', '/v'), { kind: 'method-not-allowed', allow: ['DELETE', 'OPTIONS'] });
      assert.deepEqual(r.lookup('GET', '/w'), { kind: 'not-found' });
    });

    it('answers an explicit OPTIONS route itself', () => {
      const r = table(['OPTIONS', '/x'], ['GET', '/x']);
      assert.equal(r.find('OPTIONS', '/x')?.handler, 'OPTIONS /x');
      assert.deepEqual(r.lookup('PUT', '/x'), { kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'OPTIONS'] });
    });

    it('prefers method-not-allowed over bad-request when no route accepts the method', () => {
      const r = table(['GET', '/:x']);
      assert.equal(r.lookup('POST', '/%').kind, 'method-not-allowed');
    });
  });

  describe(`${name}: registration`, () => {
    it('returns the router from add, for chaining', () => {
      const r = factory();
      assert.equal(r.add('GET', '/a', 'a'), r);
    });

    it('throws a TypeError for the same method and path twice', () => {
      const r = table(['GET', '/a/:id'], ['ALL', '/b']);
      assert.throws(() => r.add('GET', '/a/:id', 'again'), { name: 'TypeError', message: /already registered/ });
      assert.throws(() => r.add('ALL', '/b', 'again'), { name: 'TypeError', message: /already registered/ });
      r.add('POST', '/a/:id', 'post');
      assert.equal(r.find('POST', '/a/1')?.handler, 'post');
      assert.equal(r.find('GET', '/a/1')?.handler, 'GET /a/:id');
    });

    it('lets each route name its params, even at a position another route names differently', () => {
      const r = table(['GET', '/test/:id'], ['POST', '/test/:other'], ['GET', '/users/:id'], ['GET', '/users/:name/posts'], ['ALL', '/w/:all']);
      r.add('DELETE', '/w/:gone', 'DELETE /w/:gone');
      assert.deepEqual(r.lookup('GET', '/test/1'), found('GET /test/:id', '/test/:id', { id: '1' }));
      assert.deepEqual(r.lookup('HEAD', '/test/1'), found('GET /test/:id', '/test/:id', { id: '1' }));
      assert.deepEqual(r.lookup('POST', '/test/1'), found('POST /test/:other', '/test/:other', { other: '1' }));
      assert.deepEqual(r.lookup('GET', '/users/1'), found('GET /users/:id', '/users/:id', { id: '1' }));
      assert.deepEqual(r.lookup('GET', '/users/1/posts'), found('GET /users/:name/posts', '/users/:name/posts', { name: '1' }));
      assert.deepEqual(r.lookup('PUT', '/w/1'), found('ALL /w/:all', '/w/:all', { all: '1' }));
      assert.deepEqual(r.lookup('DELETE', '/w/1'), found('DELETE /w/:gone', '/w/:gone', { gone: '1' }));
    });

    it('still refuses the same method on the same route written with other param names', () => {
      const r = table(['GET', '/test/:id'], ['GET', '/p-:a/*']);
      assert.throws(() => r.add('GET', '/test/:other', 'x'), { name: 'TypeError', message: /already registered.*\/test\/:id/ });
      assert.throws(() => r.add('GET', '/p-:b/*', 'x'), { name: 'TypeError', message: /already registered/ });
      assert.equal(r.find('GET', '/test/1')?.handler, 'GET /test/:id');
    });

    it('never routes TRACE or CONNECT and insists on upper-case methods', () => {
      const r = factory();
      for (const method of ['TRACE', 'CONNECT', 'get', '', 'G ET', '1GET']) {
        assert.throws(() => r.add(method, '/a', 'x'), TypeError, method);
      }
    });

    it('throws a TypeError for malformed patterns', () => {
      const r = factory();
      const bad = ['', 'a', '*', '/a//b', '//', '/a/*/b', '/a*', '/*a', '/:', '/:1x', '/:a-b', '/:a/:a', '/a b',
        '/a?b', '/a#b', '/café', '/%', '/%zz', '/..', '/.', '/a/../b', '/:x*', '/a:', '/a:-b', '/a-:1', '/:id.json',
        '/a-:x/:x', '/%:x', '/a b:x', '/*:x'];
      for (const path of bad) assert.throws(() => r.add('GET', path, 'x'), TypeError, path);
      assert.equal(r.lookup('GET', '/a').kind, 'not-found');
    });

    it('leaves the table unchanged when an add throws', () => {
      const r = table(['GET', '/users/:id/x']);
      assert.throws(() => r.add('GET', '/users/:name/x', 'x'), TypeError);
      assert.deepEqual(r.lookup('GET', '/users/1/x'), found('GET /users/:id/x', '/users/:id/x', { id: '1' }));
    });
  });

  describe(`${name}: lookups`, () => {
    it('returns handler and params from find, and null otherwise', () => {
      const r = table(['GET', '/u/:id']);
      const hit = r.find('GET', '/u/1');
      assert.equal(hit?.handler, 'GET /u/:id');
      assert.deepEqual(hit?.params, params({ id: '1' }));
      assert.equal(r.find('POST', '/u/1'), null);
      assert.equal(r.find('GET', '/v'), null);
    });

    it('never throws on odd input', () => {
      const r = table(['GET', '/:a/:b'], ['GET', '/s/*'], ['GET', '/x']);
      const odd = ['/\u0000', '/\n/\r', '/\uD800', `/${'a'.repeat(10000)}`, '/'.repeat(1000), '/s/\uFFFF%', '/%%/%%', '/?a=1#x'];
      for (const path of odd) assert.doesNotThrow(() => r.lookup('GET', path), path);
      assert.deepEqual(r.lookup('GET', '/\n/\r'), found('GET /:a/:b', '/:a/:b', { a: '\n', b: '\r' }));
    });

    it('prints its routes', () => {
      const r = table(['GET', '/users/:id'], ['POST', '/users/:id'], ['GET', '/static/*']);
      const text = r.prettyPrint();
      assert.equal(typeof text, 'string');
      for (const word of ['users', ':id', 'static', '*', 'GET', 'POST']) assert.ok(text.includes(word), word);
    });
  });
}
