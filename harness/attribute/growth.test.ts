// What grew between the tail's first and last look, and the allocation profile by own frame.

import { describe, expect, it } from 'vitest';
import { allocationProfile, growingHandles, growingPeers } from './growth.ts';

describe('growingHandles', () => {
  it('reports the groups that grew, new ones from 0, per 1 000 requests, most first', () => {
    const before = { total: 12, ms: 1, groups: [{ type: 'tcp', referenced: true, endpoint: 'remote 127.0.0.1:9000', count: 10 }, { type: 'timer', referenced: true, endpoint: '', count: 2 }] };
    const after = {
      total: 2_050,
      ms: 1,
      groups: [
        { type: 'tcp', referenced: true, endpoint: 'remote 127.0.0.1:9000', count: 2_010 },
        { type: 'tcp', referenced: false, endpoint: 'remote 127.0.0.1:9000', count: 40 },
        { type: 'timer', referenced: true, endpoint: '', count: 1 },
      ],
    };
    const rows = growingHandles(before, after, 10_000);
    expect(rows.map((r) => [r.referenced, r.delta, r.perThousandRequests])).toEqual([
      [true, 2_000, 200],
      [false, 40, 4],
    ]);
  });

  it('says nothing per request when no request was served', () => {
    const g = { type: 'tcp', referenced: true, endpoint: '', count: 1 };
    expect(growingHandles({ total: 0, ms: 0, groups: [] }, { total: 1, ms: 0, groups: [g] }, 0)[0]!.perThousandRequests).toBeNull();
  });
});

describe('growingPeers', () => {
  it('keeps the end states and unread bytes of the peers that grew', () => {
    const peer = (sockets: number, unreadBytes = 0) => ({ peer: '127.0.0.1:9000 (fake upstream)', sockets, states: { CLOSE_WAIT: sockets }, unreadSockets: 0, unreadBytes });
    const rows = growingPeers([peer(3)], [peer(503, 4096), { ...peer(1), peer: 'clients of :8080' }], 1_000);
    expect(rows).toEqual([
      { peer: '127.0.0.1:9000 (fake upstream)', delta: 500, states: { CLOSE_WAIT: 503 }, unreadBytes: 4096, perThousandRequests: 500 },
      { peer: 'clients of :8080', delta: 1, states: { CLOSE_WAIT: 1 }, unreadBytes: 0, perThousandRequests: 1 },
    ]);
  });
});

describe('allocationProfile', () => {
  it('adds up per own frame, keeps the largest allocating frame, and scales per request', () => {
    const profile = {
      intervalBytes: 65_536,
      includeCollected: true,
      totalBytes: 10_000_000,
      siteCount: 3,
      readMs: 1,
      top: [
        { frame: 'cloneAccount (relay/accounts.ts:40)', alloc: 'cloneAccount (relay/accounts.ts:40)', bytes: 5_000_000, samples: 80 },
        { frame: 'handle (relay/chat.ts:10)', alloc: 'JSON.parse', bytes: 2_000_000, samples: 30 },
        { frame: 'cloneAccount (relay/accounts.ts:40)', alloc: 'Array.prototype.slice', bytes: 2_500_000, samples: 40 },
      ],
    };
    const a = allocationProfile(profile, 1_000);
    expect(a.bytesPerRequest).toBe(10_000);
    expect(a.top[0]).toEqual({ frame: 'cloneAccount (relay/accounts.ts:40)', alloc: 'cloneAccount (relay/accounts.ts:40)', bytes: 7_500_000, bytesPerRequest: 7_500, share: 0.75 });
    expect(a.top[1]!.frame).toBe('handle (relay/chat.ts:10)');
    expect(a.top).toHaveLength(2);
  });
});
