// LoadStats' unexpected responses: counted per (status, mismatch) kind, the
// first body head of each kept, bounded in kinds and bytes, in totals().

import { describe, expect, it } from 'vitest';
import { BODY_HEAD_BYTES, LoadStats } from './stats.ts';

describe('LoadStats.unexpected', () => {
  it('keeps the first body of each status (and of failing 2xx apart), counts the rest', () => {
    const s = new LoadStats();
    s.unexpected(400, '{"error":"missing x-provider"}');
    s.unexpected(400, '{"error":"second body, not kept"}');
    s.unexpected(200, '{"object":"response"}', true);
    s.unexpected(401, null);
    expect(s.totals().unexpected).toEqual([
      { status: 400, mismatch: false, count: 2, body: '{"error":"missing x-provider"}' },
      { status: 200, mismatch: true, count: 1, body: '{"object":"response"}' },
      { status: 401, mismatch: false, count: 1, body: '' },
    ]);
    expect(s.wantsBody(400)).toBe(false);
    expect(s.wantsBody(404)).toBe(true);
  });

  it(`bounded: ${BODY_HEAD_BYTES} characters of a body, a dozen kinds at most`, () => {
    const s = new LoadStats();
    s.unexpected(500, 'x'.repeat(300_000));
    expect(s.totals().unexpected[0]!.body.length).toBe(BODY_HEAD_BYTES);
    for (let status = 400; status < 450; status++) s.unexpected(status, 'b');
    expect(s.totals().unexpected.length).toBe(12);
    expect(s.wantsBody(499)).toBe(false);
  });

  it('totals() hands out copies: a caller cannot change the counts', () => {
    const s = new LoadStats();
    s.unexpected(503, 'down');
    s.totals().unexpected[0]!.count = 99;
    expect(s.totals().unexpected[0]!.count).toBe(1);
  });
});

describe('LoadStats.begin/end: lasting triggers in a window', () => {
  it('a window closed while a trigger runs says so; one closed after it ended does not', () => {
    const s = new LoadStats();
    expect(s.window().running).toBeUndefined();
    s.begin('relay-scan');
    s.begin('relay-scan');
    expect(s.window().running).toEqual({ 'relay-scan': 2 });
    s.end('relay-scan');
    expect(s.window().running).toEqual({ 'relay-scan': 1 });
    s.end('relay-scan');
    expect(s.window().running).toBeUndefined();
  });
});
