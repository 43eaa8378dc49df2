// SessionScope alone: what an adapter relies on at its commit point.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionScope } from '../../src/web/session-scope.js';

const ATTRS = { path: '/', httpOnly: true };

function scope(cookie?: string | string[]): SessionScope {
  return new SessionScope({ headers: { cookie } });
}

/** A promise the test settles itself, to hold a hook at its await. */
function held(): { promise: Promise<void>; release: () => void; fail: (err: Error) => void } {
  let release!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { promise, release, fail };
}

describe('SessionScope', () => {
  test('runs the before-send hooks in the order they were added', async () => {
    const s = scope();
    const order: number[] = [];
    s.onBeforeSend(() => void order.push(1));
    s.onBeforeSend(async () => {
      await Promise.resolve();
      order.push(2);
    });
    s.onBeforeSend(() => void order.push(3));
    await s.commit();
    assert.deepEqual(order, [1, 2, 3]);
  });

  test('a hook added by a hook runs too, before and after an async hook', async () => {
    const s = scope();
    const order: string[] = [];
    s.onBeforeSend(() => {
      order.push('a');
      s.onBeforeSend(async () => {
        await Promise.resolve();
        order.push('b');
        s.onBeforeSend(() => {
          order.push('c');
          s.setCookie('late', '1', ATTRS);
        });
      });
    });
    const cookies = await s.commit();
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.deepEqual(cookies, ['late=1; Path=/; HttpOnly']);
  });

  test('commits synchronously, with an array and not a promise, when no hook returns a promise', () => {
    const s = scope();
    s.onBeforeSend(() => s.setCookie('a', '1', ATTRS));
    const out = s.commit();
    assert.ok(Array.isArray(out), 'an array, ready for Set-Cookie');
    assert.deepEqual(out, ['a=1; Path=/; HttpOnly']);
    assert.deepEqual(scope().commit(), [], 'an idle scope too');
  });

  test('commits with a promise when a hook returns one, and the cookies staged after it are in', async () => {
    const s = scope();
    const gate = held();
    s.onBeforeSend(() => gate.promise.then(() => s.setCookie('a', '1', ATTRS)));
    s.onBeforeSend(() => s.setCookie('b', '2', ATTRS));
    const out = s.commit();
    assert.ok(out instanceof Promise);
    gate.release();
    assert.deepEqual(await out, ['a=1; Path=/; HttpOnly', 'b=2; Path=/; HttpOnly']);
  });

  test('any change after the commit throws: a cookie, a deletion, a hook, a second commit', () => {
    const s = scope();
    s.commit();
    assert.throws(() => s.setCookie('a', '1', ATTRS), /already sent/);
    assert.throws(() => s.setCookieHeader('a', 'a=1'), /already sent/);
    assert.throws(() => s.deleteCookie('a', ATTRS), /already sent/);
    assert.throws(() => s.onBeforeSend(() => {}), /already sent/);
    assert.throws(() => s.commit(), /already sent/);
  });

  test('a hook that throws closes the scope: the error reaches the adapter and nothing more is staged', () => {
    const s = scope();
    s.setCookie('a', '1', ATTRS);
    s.onBeforeSend(() => {
      throw new Error('seal failed');
    });
    assert.throws(() => s.commit(), /seal failed/);
    assert.throws(() => s.setCookie('b', '2', ATTRS), /already sent/);
    assert.throws(() => s.commit(), /already sent/);
  });

  test('a hook that rejects after an await closes the scope too, and later hooks do not run', async () => {
    const s = scope();
    const gate = held();
    let later = false;
    s.onBeforeSend(() => gate.promise);
    s.onBeforeSend(() => {
      later = true;
    });
    const out = s.commit();
    gate.fail(new Error('store down'));
    await assert.rejects(out as Promise<readonly string[]>, /store down/);
    assert.equal(later, false);
    assert.throws(() => s.deleteCookie('a', ATTRS), /already sent/);
  });

  test('a hook returning null (plain JavaScript) is taken as done, not crashed on', () => {
    const s = scope();
    s.onBeforeSend(() => null as unknown as void);
    s.onBeforeSend(() => s.setCookie('a', '1', ATTRS));
    assert.deepEqual(s.commit(), ['a=1; Path=/; HttpOnly']);
  });

  test('the last cookie staged under a name wins, and each name keeps its first place', () => {
    const s = scope();
    s.setCookie('a', '1', ATTRS);
    s.setCookie('b', '2', ATTRS);
    s.setCookie('a', '3', ATTRS);
    s.deleteCookie('b', ATTRS);
    s.setCookieHeader('c', 'c=raw');
    const out = s.commit() as readonly string[];
    assert.equal(out.length, 3);
    assert.equal(out[0], 'a=3; Path=/; HttpOnly');
    assert.match(out[1] as string, /^b=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    assert.equal(out[2], 'c=raw');
  });

  test('is idle until a cookie or a hook is staged', () => {
    const s = scope();
    assert.equal(s.idle, true);
    s.onBeforeSend(() => {});
    assert.equal(s.idle, false);
    const t = scope();
    t.deleteCookie('a', ATTRS);
    assert.equal(t.idle, false);
  });

  test('reads a cookie from a header given as several Cookie lines, with or without the parsed map', () => {
    const s = scope(['a=1; b=2', 'c=3']);
    assert.equal(s.cookie('c'), '3', 'found without building the map');
    assert.equal(s.cookie('b'), '2');
    assert.deepEqual({ ...s.cookies }, { a: '1', b: '2', c: '3' });
    assert.equal(s.cookie('c'), '3', 'found in the map once it is built');
    assert.equal(s.cookie('d'), undefined);
    assert.equal(Object.getPrototypeOf(s.cookies), null, 'a null-prototype map: no inherited names');
    assert.equal(s.cookie('toString'), undefined);
  });

  test('a request without cookies reads as none, and the ip is what the adapter gave', () => {
    const s = scope();
    assert.equal(s.cookie('a'), undefined);
    assert.deepEqual({ ...s.cookies }, {});
    assert.equal(s.ip, undefined);
    assert.equal(new SessionScope({ headers: {}, ip: '203.0.113.9' }).ip, '203.0.113.9');
  });
});
