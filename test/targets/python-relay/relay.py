#!/usr/bin/env python3
"""A small Python asyncio relay for the harness's own tests (python3 stdlib only).

An asyncio-streams HTTP/1.1 server (keep-alive) forwarding POST
/v1/chat/completions and GET /v1/models to the fake upstream over a pool of the
upstream's accounts, with /metrics (Prometheus text). It carries the scheduler
incident (/work/shared/seeds/001: P0-1, P0-3, P0-9):

  (default, leaky)  every request is recorded in a task map that is never
                    cleaned (`self.running[request_id] = info`, never popped),
                    and every upstream error schedules a fire-and-forget
                    `asyncio.create_task(self._delayed_retry(...))`: its
                    reference is dropped, it sleeps out a 10-minute backoff for
                    a request already answered, and nothing cancels it. The
                    loop's timer keeps each one alive (a task awaiting nothing
                    but an unreferenced Event would be garbage collected:
                    asyncio holds tasks weakly), so tasks and the map grow.
  --fix             the map entry is popped when the request ends; each retry
                    task is kept by its request (a done-callback forgets it)
                    and cancelled when the request it was for has ended.

/metrics: python_asyncio_tasks (len(asyncio.all_tasks())), relay_task_map_entries,
relay_inflight_requests (the harness's drain waits for 0), process_open_fds,
process_resident_memory_bytes.

Usage: relay.py --port N --upstream URL [--seed 42] [--accounts 5000] [--fix]
Prints `relay: listening on http://127.0.0.1:PORT` once listening; exits on
SIGTERM, or when stdin closes if SOAK_EXIT_WITH_HARNESS=1 (the harness sets it).
"""

import argparse
import asyncio
import hashlib
import itertools
import os
import signal
import sys
from urllib.parse import urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024


def access_token(seed, index):
    """shared/accounts.ts accessTokenOf(seed, index): the bearer token the fake upstream expects."""
    digest = hashlib.sha256(f"token:{seed}:codex:{index}".encode()).hexdigest()[:40]
    return f"cxat.{index}.{digest}"


class Relay:
    def __init__(self, args):
        self.fix = args.fix
        self.seed = args.seed
        self.accounts = args.accounts
        up = urlsplit(args.upstream)
        self.up_host = up.hostname
        self.up_port = up.port or 80
        self.next_account = itertools.count()
        self.request_ids = itertools.count()
        self.inflight = 0
        # The incident's maps: request id → what it carried (P0-1/P0-2) ...
        self.running = {}
        # ... and, fixed, each request's retry task kept referenced (P0-3's fix).
        self.retry_tasks = {}
        self.keys = {k for k in os.environ.get("RELAY_CLIENT_KEYS", "").split(",") if k}

    # ---- upstream client -------------------------------------------------

    async def upstream(self, method, path, body, fault):
        """One request on its own connection (Connection: close), the answer read to EOF.

        Returns (status, raw header block, body bytes, complete?).
        """
        reader, writer = await asyncio.open_connection(self.up_host, self.up_port)
        try:
            index = next(self.next_account) % self.accounts
            head = [
                f"{method} {path} HTTP/1.1",
                f"Host: {self.up_host}:{self.up_port}",
                f"Authorization: Bearer {access_token(self.seed, index)}",
                "Connection: close",
                f"Content-Length: {len(body)}",
            ]
            if body:
                head.append("Content-Type: application/json")
            if fault:
                head.append(f"x-mock-fault: {fault}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read(-1)
        finally:
            writer.close()
        end = raw.find(b"\r\n\r\n")
        if end == -1:
            return 502, [], b"", False
        lines = raw[:end].decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ")[1])
        except (IndexError, ValueError):
            return 502, [], b"", False
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        payload = raw[end + 4:]
        return status, headers, payload, self.complete(headers, payload)

    @staticmethod
    def complete(headers, payload):
        """Whether the body arrived whole: its Content-Length, or the chunked terminator."""
        names = {n.lower(): v for n, v in headers}
        if "content-length" in names:
            try:
                return len(payload) >= int(names["content-length"])
            except ValueError:
                return False
        if names.get("transfer-encoding", "").lower() == "chunked":
            return payload.endswith(b"0\r\n\r\n")
        return True

    # ---- the incident ----------------------------------------------------

    RETRY_BACKOFF_S = 600

    async def _delayed_retry(self, request_id, delay):
        await asyncio.sleep(delay)
        # The retry would run here; by then its request has long been answered.

    def schedule_retry(self, request_id):
        task = asyncio.create_task(self._delayed_retry(request_id, self.RETRY_BACKOFF_S))
        if self.fix:
            self.retry_tasks[request_id] = task
            task.add_done_callback(lambda _t: self.retry_tasks.pop(request_id, None))
        # Leaky: fire and forget, the reference is dropped and nothing cancels it.

    def end_request(self, request_id):
        if self.fix:
            self.running.pop(request_id, None)
            task = self.retry_tasks.pop(request_id, None)
            if task is not None:
                task.cancel()

    # ---- server ------------------------------------------------------------

    async def handle(self, reader, writer):
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head[:-4].decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3:
                    return
                method, target = parts[0], parts[1]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or "0")
                if length > MAX_BODY_BYTES:
                    return
                body = await reader.readexactly(length) if length else b""
                keep = await self.route(method, target.split("?")[0], headers, body, writer)
                await writer.drain()
                if not keep or headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    def respond(self, writer, status, body, content_type="application/json", extra=()):
        head = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}", "Connection: keep-alive", *extra]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def metrics(self):
        try:
            fds = len(os.listdir("/proc/self/fd"))
        except OSError:
            fds = -1
        try:
            with open("/proc/self/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            rss = -1
        lines = [
            "# TYPE python_asyncio_tasks gauge", f"python_asyncio_tasks {len(asyncio.all_tasks())}",
            "# TYPE relay_task_map_entries gauge", f"relay_task_map_entries {len(self.running)}",
            "# TYPE relay_inflight_requests gauge", f"relay_inflight_requests {self.inflight}",
            "# TYPE process_open_fds gauge", f"process_open_fds {fds}",
            "# TYPE process_resident_memory_bytes gauge", f"process_resident_memory_bytes {rss}",
        ]
        return ("\n".join(lines) + "\n").encode()

    async def route(self, method, path, headers, body, writer):
        if path == "/metrics" and method == "GET":
            self.respond(writer, 200, self.metrics(), "text/plain; version=0.0.4")
            return True
        if path not in ("/v1/chat/completions", "/v1/models"):
            self.respond(writer, 404, b'{"error":{"message":"not found","type":"invalid_request_error"}}')
            return True
        if self.keys and headers.get("authorization", "").removeprefix("Bearer ") not in self.keys:
            self.respond(writer, 401, b'{"error":{"message":"invalid client key","type":"authentication_error"}}')
            return True
        self.inflight += 1
        request_id = next(self.request_ids)
        # P0-1: recorded for the scheduler, with the request it carried.
        self.running[request_id] = {"path": path, "body": body[:512], "headers": dict(headers)}
        try:
            try:
                status, up_headers, payload, complete = await self.upstream(method, path, body, headers.get("x-mock-fault"))
            except OSError:
                self.respond(writer, 502, b'{"error":{"message":"upstream unreachable","type":"upstream_error"}}')
                return True
            if status >= 300:
                self.schedule_retry(request_id)
            names = {n.lower() for n, _ in up_headers}
            head = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}", "Connection: keep-alive"]
            head += [f"{n}: {v}" for n, v in up_headers if n.lower() not in ("connection", "keep-alive", "date")]
            if "content-length" not in names and "transfer-encoding" not in names:
                head.append(f"Content-Length: {len(payload)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
            # A body the upstream cut is cut for the client too (the connection closes).
            return complete
        finally:
            self.inflight -= 1
            self.end_request(request_id)


async def main():
    parser = argparse.ArgumentParser(prog="python-relay")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--fix", action="store_true", help="clean the task map and keep retry tasks referenced")
    args = parser.parse_args()
    if args.accounts < 1:
        parser.error("--accounts: expected ≥ 1")
    relay = Relay(args)
    server = await asyncio.start_server(relay.handle, "127.0.0.1", args.port, limit=MAX_HEADER_BYTES)
    port = server.sockets[0].getsockname()[1]
    print(f"relay: listening on http://127.0.0.1:{port}", flush=True)
    if not args.fix:
        print("python-relay: leaky: fire-and-forget retry tasks and a never-cleaned task map", file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if os.environ.get("SOAK_EXIT_WITH_HARNESS") == "1":
        # Exit with the harness: its end of our stdin pipe closes when it goes.
        def on_stdin():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()

        loop.add_reader(sys.stdin.fileno(), on_stdin)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
