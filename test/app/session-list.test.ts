import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, renderSessionList } from '../../src/app/session-list.js';
import type { SessionInfo } from '../../src/session/server-store/server-store-options.js';

function info(overrides: Partial<SessionInfo>): SessionInfo {
  return { id: 'AAAAAAAAAAAAAAAAAAAAAA', subject: 'demo', createdAt: 0, lastSeenAt: 0, expiresAt: 0, userAgent: undefined, ip: undefined, current: false, ...overrides };
}

test('shows a session list without any raw User-Agent or IP text unescaped', () => {
  const now = 1_764_115_200_000;
  const html = renderSessionList({
    csrfToken: 'tok',
    now,
    sessions: [
      info({ id: 'BBBBBBBBBBBBBBBBBBBBBB', userAgent: 'Mozilla/5.0 (<script>alert(1)</script>) Firefox/1', ip: '<b>1.2.3.4</b>', current: true, createdAt: now - 7_200_000, lastSeenAt: now - 30_000 }),
      info({ userAgent: '<img src=x onerror=alert(1)>', ip: '10.0.0.2', createdAt: now - 3 * 86_400_000, lastSeenAt: now - 90_000 }),
    ],
  });
  assert.doesNotMatch(html, /<script|<img|<b>/);
  assert.match(html, /&#60;b&#62;1\.2\.3\.4&#60;\/b&#62;/);
  assert.match(html, /<td>Firefox<\/td>/);
  assert.match(html, /<td>Unknown device<\/td>/);
  assert.match(html, /<strong>this device<\/strong>/);
  // One form, for the other session only, carrying its id and the CSRF token.
  assert.equal(html.match(/action="\/sessions\/end"/g)?.length, 1);
  assert.match(html, /name="_csrf" value="tok"><input type="hidden" name="id" value="AAAAAAAAAAAAAAAAAAAAAA">/);
  assert.doesNotMatch(html, /value="BBBBBBBBBBBBBBBBBBBBBB"/);
  assert.match(html, /<td>now<\/td><td><strong>this device<\/strong>/);
  assert.match(html, /1 min ago/);
  assert.match(html, /2025-11-23 00:00 UTC/);
});

test('says how long ago in the largest whole unit', () => {
  const now = 1_764_115_200_000;
  assert.equal(ago(now, now), 'just now');
  assert.equal(ago(now - 59_999, now), 'just now');
  assert.equal(ago(now - 60_000, now), '1 min ago');
  assert.equal(ago(now - 3_599_999, now), '59 min ago');
  assert.equal(ago(now - 3_600_000, now), '1 h ago');
  assert.equal(ago(now - 86_400_000, now), '1 day ago');
  assert.equal(ago(now - 3 * 86_400_000, now), '3 days ago');
  assert.equal(ago(now + 5000, now), 'just now', 'a clock a little behind the record is no negative time');
});

test('counts the sessions, lists this device first, and speaks of ending one only when there is another', () => {
  const now = 1_764_115_200_000;
  const current = info({ id: 'CCCCCCCCCCCCCCCCCCCCCC', userAgent: 'Mozilla/5.0 Firefox/1', current: true, lastSeenAt: now });
  const other = info({ userAgent: 'Mozilla/5.0 Chrome/1 Safari/1', lastSeenAt: now - 120_000 });
  const render = (sessions: SessionInfo[]) => renderSessionList({ csrfToken: 'tok', now, sessions });

  const alone = render([current]);
  assert.match(alone, /One session is signed in as you\./);
  assert.doesNotMatch(alone, /Ending a session/);

  const two = render([other, current]); // the store lists the most recently seen first
  assert.match(two, /2 sessions are signed in as you\. Ending a session signs that device out/);
  const rows = two.match(/<tr[ >][\s\S]*?<\/tr>/g)?.slice(1) ?? []; // the head row, then one per session
  assert.equal(rows.length, 2);
  assert.match(rows[0] ?? '', /this device/, 'this device comes first');
  assert.match(rows[1] ?? '', /value="AAAAAAAAAAAAAAAAAAAAAA"/);

  const none = render([]);
  assert.match(none, /No session is stored for you right now\./);
  assert.doesNotMatch(none, /One session is/, 'no session is not one');
  assert.doesNotMatch(none, /<table/);
});
