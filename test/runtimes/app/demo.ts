// The demo app every runtime serves, written once against the Web platform: a name-only login, a
// counter and a logout, under /sealed/ (an AES-GCM sealed cookie) and /signed/ (an HMAC-signed
// one), with CSRF on. Only `cachet/core` and `cachet/fetch` are imported, exactly as an app would
// (`cachet/core` loads no node: module, so the Worker needs no Node compatibility).
//
// Each runtime's entry (deno.ts, bun.ts, workerd.ts, node.ts) passes the key and a label naming
// itself; the label comes back in /state so that a test knows which runtime answered.
import { CookieStore, Keyring } from 'cachet/core';
import { withSessions } from 'cachet/fetch';

// A type alias, not an interface: SessionValues needs the implicit index signature.
export type DemoValues = {
  user?: string;
  count?: number;
};

export interface DemoOptions {
  /** The key's secret, unpadded base64url of at least 32 bytes: the same on every runtime. */
  secret: string;
  /** The runtime's name and exact version, e.g. `Deno 2.9.6`. */
  runtime: string;
}

type Mode = 'sealed' | 'signed';

/** The app as one fetch handler. */
export async function createDemo({ secret, runtime }: DemoOptions): Promise<(request: Request) => Promise<Response>> {
  const keyring = await Keyring.create([{ id: 'demo', secret }]);
  const apps: Record<Mode, (request: Request) => Promise<Response>> = {
    sealed: routes('sealed', new CookieStore<DemoValues>({ keyring, mode: 'sealed' }), runtime),
    signed: routes('signed', new CookieStore<DemoValues>({ keyring, mode: 'signed' }), runtime),
  };
  return async (request) => {
    const mode = new URL(request.url).pathname.split('/')[1];
    if (mode === 'sealed' || mode === 'signed') return apps[mode](request);
    return text('Not Found', 404);
  };
}

function routes(mode: Mode, store: CookieStore<DemoValues>, runtime: string): (request: Request) => Promise<Response> {
  // The session cookie is `__Host-sealed` or `__Host-signed`, so both live side by side.
  return withSessions({ store, name: mode, csrf: true }, async (request, { session, csrfToken }) => {
    const url = new URL(request.url);
    const path = url.pathname.slice(mode.length + 1);
    const home = new URL(`/${mode}/`, url);
    const s = await session();
    const route = `${request.method} ${path}`;
    switch (route) {
      case 'GET /':
        return html(page(mode, s.values, await csrfToken()));
      case 'GET /state':
        return Response.json({ runtime, mode, user: s.values.user ?? null, count: s.values.count ?? 0, csrf: await csrfToken() });
      case 'POST /login': {
        const name = new URLSearchParams(await request.text()).get('name')?.trim() ?? '';
        if (name === '' || name.length > 64) return text('A name of 1 to 64 characters, please.', 400);
        s.regenerate(); // a new session (and CSRF token) at the privilege change: no session fixation
        s.values.user = name;
        s.values.count = 0;
        return Response.redirect(home, 303); // immutable headers: withSessions copies the response
      }
      case 'POST /count':
        if (s.values.user === undefined) return text('Log in first.', 401);
        s.values.count = (s.values.count ?? 0) + 1;
        return Response.redirect(home, 303);
      case 'POST /logout':
        s.destroy();
        return Response.redirect(home, 303);
      default:
        return text('Not Found', 404);
    }
  });
}

function text(body: string, status: number): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function html(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(mode: Mode, values: Partial<DemoValues>, token: string): string {
  const field = `<input type="hidden" name="_csrf" value="${escape(token)}">`;
  const body =
    values.user === undefined
      ? `<form method="post" action="/${mode}/login">${field}<label>Name <input name="name" required maxlength="64"></label> <button>Log in</button></form>`
      : `<p>Hello, ${escape(values.user)}. Count: ${values.count ?? 0}.</p>
<form method="post" action="/${mode}/count">${field}<button>Count</button></form>
<form method="post" action="/${mode}/logout">${field}<button>Log out</button></form>`;
  return `<!doctype html><meta charset="utf-8"><title>cachet demo (${mode})</title>\n${body}\n`;
}
