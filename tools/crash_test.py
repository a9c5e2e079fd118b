#!/usr/bin/env python3
"""Crash safety of `clicklog serve`: acked means stored, exactly once, whatever happens.

Sends events over a few WebSocket connections while killing the server with SIGKILL at random
moments (--kills times, 20 by default), restarting it on the same data directory each time. A
client resends every message that was not acked when its connection dropped, as the protocol
asks, so some events reach the server twice. At the end the server is stopped gracefully and:

- `clicklog verify` must be clean;
- every event of every acked message must be in the log exactly once (by id), no id may be
  stored twice, and nothing may be stored that was never sent;
- every ack must have come in order, once, with accepted + duplicates == the message's events
  and nothing rejected.

The ids are read back with `clicklog export --format jsonl --out -` when the binary has it,
otherwise with a hidden `clicklog dump-ids` (one id per line); with neither, only the stored row
count is compared (`clicklog inspect`), which the output says.

Usage: tools/.venv/bin/python tools/crash_test.py [--clicklog BIN] [--kills 20] [--seed N]
Needs the `websockets` package (tools/requirements.txt). Binds 127.0.0.1 only; bounded by
--kills and --max-seconds (default 110). Exit status 0 when every check passes.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

SUBPROTOCOL = "clicklog.v1"


class Message:
    __slots__ = ("seq", "ids", "payload", "bare", "acked", "sends")

    def __init__(self, seq, events, bare):
        self.seq = seq
        self.ids = [event["id"] for event in events]
        self.bare = bare
        if bare:
            self.payload = json.dumps(events[0], separators=(",", ":"))
        else:
            batch = {"seq": seq, "sent_at": int(time.time() * 1000), "events": events}
            self.payload = json.dumps(batch, separators=(",", ":"))
        self.acked = False
        self.sends = 0


class Ledger:
    """Every message made, what is waiting to be (re)sent, and what the acks said."""

    def __init__(self, rng):
        self.rng = rng
        self.messages = []
        self.pending = collections.deque()  # messages to send next: resends first
        self.next_seq = 1
        self.problems = []
        self.acks = 0
        self.duplicates = 0
        self.resends = 0
        self.making = True

    def make(self):
        rng = self.rng
        bare = rng.random() < 0.2
        count = 1 if bare else rng.randint(1, 50)
        now = int(time.time() * 1000)
        events = []
        for _ in range(count):
            kind = rng.choice(("page_view", "click"))
            event = {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "event": kind,
                "ts": now,
                "anonymous_id": f"crash-{rng.randint(1, 500)}",
                "url": f"https://shop.example/p/{rng.randint(1, 2000)}",
            }
            if kind == "click":
                event["selector"] = "button.add"
                event["x"] = rng.randint(0, 1600)
                event["y"] = rng.randint(0, 1200)
            events.append(event)
        message = Message(self.next_seq, events, bare)
        self.next_seq += 1
        self.messages.append(message)
        return message

    def take(self):
        if self.pending:
            return self.pending.popleft()
        if self.making:
            return self.make()
        return None

    def problem(self, text):
        if len(self.problems) < 50:
            self.problems.append(text)


async def connection(ledger, uri, origin, window, stop):
    """One connection until it drops or `stop` is set; gives back what was not acked."""
    inflight = collections.deque()  # (expected ack, message)
    ordinal = 0
    try:
        async with connect(uri, subprotocols=[SUBPROTOCOL], origin=origin, open_timeout=3,
                           max_size=2 ** 20, ping_interval=None, close_timeout=1) as ws:
            if ws.subprotocol != SUBPROTOCOL:
                ledger.problem(f"server selected subprotocol {ws.subprotocol!r}")
            acked = asyncio.Event()

            async def receive():
                async for text in ws:
                    ack = json.loads(text)
                    if not inflight:
                        ledger.problem(f"ack {ack.get('ack')} with nothing in flight")
                        continue
                    expected, message = inflight[0]
                    if ack.get("ack") != expected:
                        ledger.problem(f"ack {ack.get('ack')} arrived, expected {expected} (out of order or lost)")
                        continue
                    inflight.popleft()
                    events = len(message.ids)
                    accepted, duplicates = ack.get("accepted", 0), ack.get("duplicates", 0)
                    rejected = len(ack.get("rejected", []))
                    if rejected or "error" in ack:
                        ledger.problem(f"message {message.seq}: rejected or error: {text[:200]}")
                    if accepted + duplicates + rejected != events:
                        ledger.problem(f"message {message.seq}: ack counts {accepted}+{duplicates}+{rejected} != {events}")
                    if message.acked:
                        ledger.problem(f"message {message.seq} acked twice")
                    if message.sends == 1 and duplicates:
                        ledger.problem(f"message {message.seq} sent once but {duplicates} duplicates reported")
                    message.acked = True
                    ledger.acks += 1
                    ledger.duplicates += duplicates
                    acked.set()

            receiver = asyncio.create_task(receive())
            try:
                while not stop.is_set():
                    while len(inflight) < window and not stop.is_set():
                        message = ledger.take()
                        if message is None:
                            break
                        ordinal += 1
                        inflight.append((ordinal if message.bare else message.seq, message))
                        message.sends += 1
                        if message.sends > 1:
                            ledger.resends += 1
                        await ws.send(message.payload)
                    if receiver.done():
                        break
                    acked.clear()
                    if not inflight and not ledger.making and not ledger.pending:
                        break
                    try:
                        await asyncio.wait_for(acked.wait(), 0.2)
                    except asyncio.TimeoutError:
                        pass
                # Graceful end (last cycle): wait for what is in flight.
                while inflight and not receiver.done():
                    acked.clear()
                    try:
                        await asyncio.wait_for(acked.wait(), 5)
                    except asyncio.TimeoutError:
                        break
            finally:
                receiver.cancel()
                try:
                    await receiver
                except (asyncio.CancelledError, ConnectionClosed, OSError):
                    pass
    except (ConnectionClosed, InvalidHandshake, InvalidStatus, OSError, asyncio.TimeoutError):
        pass
    finally:
        # Unacked messages go back to the front, oldest first, to be resent.
        for _, message in reversed(inflight):
            if not message.acked:
                ledger.pending.appendleft(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(clicklog, data, port, log):
    process = subprocess.Popen([clicklog, "serve", "--data", data, "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"clicklog serve exited with {process.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return process
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise SystemExit("clicklog serve did not start within 20 s")


async def cycle(ledger, port, connections, window, seconds):
    """Runs the clients against the server on `port` for `seconds` (None: until all is acked)."""
    uri = f"ws://127.0.0.1:{port}/v1/ws?site=demo"
    origin = f"http://localhost:{port}"
    stop = asyncio.Event()
    tasks = [asyncio.create_task(connection(ledger, uri, origin, window, stop)) for _ in range(connections)]
    if seconds is not None:
        await asyncio.sleep(seconds)
        return stop, tasks
    await asyncio.wait(tasks, timeout=30)
    return stop, tasks


async def finish(stop, tasks):
    stop.set()
    await asyncio.wait(tasks, timeout=10)
    for task in tasks:
        task.cancel()


def stored_ids(clicklog, data):
    """Every stored event id, with repeats: `export --format jsonl`, else the hidden `dump-ids`."""
    export = subprocess.run([clicklog, "export", "--format", "jsonl", "--columns", "id", "--out", "-", "--data", data],
                            capture_output=True, text=True)
    if export.returncode != 0:
        export = subprocess.run([clicklog, "export", "--format", "jsonl", "--out", "-", "--data", data],
                                capture_output=True, text=True)
    if export.returncode == 0:
        return [json.loads(line)["id"] for line in export.stdout.splitlines() if line.strip()]
    dump = subprocess.run([clicklog, "dump-ids", "--data", data], capture_output=True, text=True)
    if dump.returncode == 0:
        return [line.strip() for line in dump.stdout.splitlines() if line.strip()]
    print("note: this clicklog has neither `export --format jsonl` nor `dump-ids`: "
          "checking the stored row count only, not each id", flush=True)
    return None


def stored_rows(clicklog, data):
    """The row count `clicklog inspect` reports (`blocks: N, rows: M, …`)."""
    out = subprocess.run([clicklog, "inspect", "--data", data], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("blocks:") and "rows:" in line:
            return int(line.split("rows:")[1].split(",")[0].strip())
    raise SystemExit(f"cannot read the row count from `clicklog inspect`: {(out.stdout + out.stderr)[-300:]}")


async def main_async(args):
    rng = random.Random(args.seed)
    ledger = Ledger(rng)
    work = tempfile.mkdtemp(prefix="clicklog-crash.")
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "serve.log"), "ab")
    started = time.monotonic()
    kills = 0
    try:
        while kills < args.kills:
            if time.monotonic() - started > args.max_seconds:
                ledger.problem(f"stopped after {kills} kills: --max-seconds reached")
                break
            port = free_port()
            server = start_server(args.clicklog, data, port, log)
            # Some kills land during start-up and recovery, most while acks are flowing.
            seconds = rng.choice((0.02, 0.1)) if rng.random() < 0.2 else rng.uniform(0.2, 1.5)
            stop, tasks = await cycle(ledger, port, args.connections, args.window, seconds)
            server.send_signal(signal.SIGKILL)
            server.wait()
            kills += 1
            await finish(stop, tasks)
            print(f"kill {kills:2}: after {seconds:.2f} s; acks so far {ledger.acks}, resends {ledger.resends}", flush=True)

        # Last run: no new messages, resend what is pending until everything is acked.
        ledger.making = False
        port = free_port()
        server = start_server(args.clicklog, data, port, log)
        for _ in range(5):
            if all(m.acked for m in ledger.messages):
                break
            stop, tasks = await cycle(ledger, port, args.connections, args.window, None)
            await finish(stop, tasks)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            ledger.problem("clicklog serve did not stop within 30 s of SIGTERM")
            server.wait()

        verify = subprocess.run([args.clicklog, "verify", "--data", data], capture_output=True, text=True)
        if verify.returncode != 0:
            ledger.problem(f"clicklog verify failed: {(verify.stdout + verify.stderr)[-800:]}")
        ids = stored_ids(args.clicklog, data)
        rows = len(ids) if ids is not None else stored_rows(args.clicklog, data)
    finally:
        log.close()

    unacked = [m for m in ledger.messages if not m.acked]
    if unacked:
        ledger.problem(f"{len(unacked)} message(s) never acked even after the final resend")
    events = sum(len(m.ids) for m in ledger.messages)
    if ids is not None:
        counts = collections.Counter(ids)
        sent = {event_id for message in ledger.messages for event_id in message.ids}
        twice = [i for i, n in counts.items() if n > 1]
        missing = [i for m in ledger.messages if m.acked for i in m.ids if counts.get(i, 0) != 1]
        unknown = [i for i in counts if i not in sent]
        if twice:
            ledger.problem(f"{len(twice)} id(s) stored more than once, e.g. {twice[:3]}")
        if missing:
            ledger.problem(f"{len(missing)} acked event(s) not stored exactly once, e.g. {missing[:3]}")
        if unknown:
            ledger.problem(f"{len(unknown)} stored id(s) never sent, e.g. {unknown[:3]}")
    elif rows != events:
        ledger.problem(f"{rows} rows stored for {events} distinct events sent and acked")

    print(f"\n{kills} kills in {time.monotonic() - started:.1f} s: {len(ledger.messages)} messages, {events} events, "
          f"{ledger.resends} resends, {ledger.duplicates} duplicates reported, {rows} rows stored")
    print(f"verify: {verify.stdout.strip().splitlines()[0] if verify.stdout.strip() else verify.returncode}")
    if ledger.problems:
        print("FAILED:")
        for text in ledger.problems:
            print(f"  - {text}")
        print(f"(server log and data kept in {work})")
        return 1
    print("ok: every acked event stored exactly once, verify clean" if ids is not None
          else "ok (row count only): as many rows as distinct events, all acked, verify clean")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicklog", default=os.path.join(here, "..", ".build-load", "release", "clicklog"))
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--window", type=int, default=8, help="unacked messages per connection")
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    parser.add_argument("--max-seconds", type=float, default=110)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    if not 1 <= args.kills <= 1000:
        parser.error("--kills must be 1 to 1000")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2 ** 32)
    print(f"crash test: {args.kills} kills, seed {args.seed}, {args.clicklog}", flush=True)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
