/**
 * Targets for the session scenarios: every session server answers /login, / and /count
 * (servers/sessions/README.md). `prepare` logs in once and checks the answers before any load.
 */
import { expectText, cookieHeader, type HttpTarget } from './http-table.ts';
import { SESSION, renderHello } from './fixture.ts';

/** (a) read: GET / renders from the session; (b) write: GET /count changes it on every request. */
export type Scenario = 'read' | 'write';

/** Cookie header after applying a response's Set-Cookie to an earlier Cookie header. */
function mergeCookies(before: string, res: Response): string {
  const jar = new Map(before.split('; ').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p] as const));
  for (const p of cookieHeader(res).split('; ').filter(Boolean)) jar.set(p.slice(0, p.indexOf('=')), p);
  return [...jar.values()].join('; ');
}

/** A session server target: log in, check the scenario's answer (and, for writes, that the new cookie carries the change). */
export function sessionTarget(name: string, role: HttpTarget['role'], server: string, scenario: Scenario, path = scenario === 'read' ? '/' : '/count'): HttpTarget {
  return {
    name,
    role,
    server,
    path,
    async prepare(url) {
      await fetch(url + '/').then(async (r) => {
        await r.text();
        if (r.status !== 401) throw new Error(`GET / without a cookie: expected 401, got ${r.status}`);
      });
      const login = await expectText(url + '/login', {}, 'logged in');
      const cookie = cookieHeader(login);
      if (!cookie) throw new Error('GET /login set no cookie');
      if (path === '/') {
        await expectText(url + '/', { cookie }, renderHello(SESSION));
      } else {
        const first = await expectText(url + '/count', { cookie }, 'count: 1');
        if (first.headers.getSetCookie().length === 0) throw new Error('GET /count did not write the session');
        await expectText(url + '/count', { cookie: mergeCookies(cookie, first) }, 'count: 2');
      }
      return { cookie };
    },
  };
}

/** Raw hello answers any path and ignores the cookie; it still receives one of realistic size. */
export const rawHello: HttpTarget = {
  name: 'raw node:http hello',
  role: 'baseline',
  server: 'servers/hello/raw-node.ts',
  path: '/',
  async prepare(url) {
    await expectText(url + '/', {}, 'Hello, world!');
    return { cookie: `session=${'x'.repeat(240)}` };
  },
};
