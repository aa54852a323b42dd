// Counters the harness reads to normalise leak growth per triggering event.
// Everything is cumulative since start or the last reset, except the gauges
// (openConnections, inFlight, awaitingClient).

import type { FaultKind } from './faults.ts';

export interface UpstreamStats {
  /** API requests received (control routes /__upstream/* excluded). */
  requests: number;
  /** Requests by `METHOD /path` (control routes included, unknown paths as `other`). */
  byRoute: Record<string, number>;
  /** Injected faults by kind (forced, planned and per-account alike). */
  faults: Partial<Record<FaultKind, number>>;
  /** Injected faults by account index, then kind. Keys are valid account indexes only. */
  faultsByAccount: Record<string, Partial<Record<FaultKind, number>>>;
  /** Requests rejected because the bearer token was missing or unknown (not faults). */
  unauthorized: number;
  /** TCP connections open now. */
  openConnections: number;
  /** API requests whose response has not finished or been abandoned yet (control routes excluded). */
  inFlight: number;
  /**
   * Of those, responses stopped on write backpressure: their next bytes wait
   * for the client to read what was sent (an unread error body). The upstream
   * has nothing left to do for them; only the client can end them. A drain
   * waits for `inFlight − awaitingClient`, not for a target to read.
   */
  awaitingClient: number;
  /** Requests whose socket the client closed before the response was complete. */
  clientAborts: number;
}

export class StatsCollector {
  requests = 0;
  unauthorized = 0;
  openConnections = 0;
  inFlight = 0;
  awaitingClient = 0;
  clientAborts = 0;
  private byRoute = new Map<string, number>();
  private faults = new Map<FaultKind, number>();
  private faultsByAccount = new Map<number, Map<FaultKind, number>>();

  route(key: string): void {
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
  }

  /** `account` is -1 when the request carried no valid account. */
  fault(kind: FaultKind, account: number): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
    if (account < 0) return;
    let perKind = this.faultsByAccount.get(account);
    if (!perKind) this.faultsByAccount.set(account, (perKind = new Map()));
    perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
  }

  /** Zeroes the cumulative counters; the gauges describe live state and stay. */
  reset(): void {
    this.requests = 0;
    this.unauthorized = 0;
    this.clientAborts = 0;
    this.byRoute.clear();
    this.faults.clear();
    this.faultsByAccount.clear();
  }

  snapshot(): UpstreamStats {
    const faultsByAccount: UpstreamStats['faultsByAccount'] = {};
    for (const [account, perKind] of this.faultsByAccount) faultsByAccount[account] = Object.fromEntries(perKind);
    return {
      requests: this.requests,
      byRoute: Object.fromEntries(this.byRoute),
      faults: Object.fromEntries(this.faults),
      faultsByAccount,
      unauthorized: this.unauthorized,
      openConnections: this.openConnections,
      inFlight: this.inFlight,
      awaitingClient: this.awaitingClient,
      clientAborts: this.clientAborts,
    };
  }
}
