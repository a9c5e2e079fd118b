#!/usr/bin/env python3
"""The naive peer: what a competent Python developer would write in an afternoon.

A WebSocket server on picows (the fastest asyncio WebSocket library) + orjson + zstandard that
speaks enough of the Clicklog protocol for `clicklog load` to drive it:

- the upgrade is accepted on any path and origin; `clicklog.v1` is selected when offered;
- each text message is parsed with orjson: a batch `{"seq":N,"events":[...]}` or a bare event
  object (acked by its 1-based ordinal on the connection);
- its events are re-serialised with orjson, one per line (a bare event is written as received),
  to one streaming zstd compressor over a single JSONL file shared by all connections;
- every message is acked at once, in order: `{"ack":N,"accepted":len(events),"duplicates":0,
  "rejected":[]}`; a message that is not JSON gets `{"ack":N,"error":"..."}`.

What it does not do, and Clicklog does: no validation of the events, no deduplication, no
enrichment, no columnar storage, and above all no durability: the ack goes out when the events
are in the compressor's buffer, not when they are on disk (no flush, no fsync). It is a
throughput reference, not a correct server.

Setup (once):  python3 -m venv tools/.venv && tools/.venv/bin/pip install -r tools/requirements.txt
Run:           tools/.venv/bin/python tools/peer_server.py --port 0 --out /tmp/peer.jsonl.zst
It prints `peer-server listening on 127.0.0.1:PORT`, and its totals on SIGINT/SIGTERM or after
--exit-after seconds.
"""

import argparse
import asyncio
import signal
import sys

import orjson
import zstandard
from picows import (
    WSListener,
    WSMsgType,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

SUBPROTOCOL = "clicklog.v1"


class Sink:
    """One zstd stream over one JSONL file, shared by every connection (asyncio: one thread)."""

    def __init__(self, path, level):
        self.file = open(path, "wb")
        self.writer = zstandard.ZstdCompressor(level=level).stream_writer(self.file)
        self.messages = 0
        self.events = 0
        self.bytes = 0

    def append(self, events):
        self.writer.write(b"\n".join(map(orjson.dumps, events)) + b"\n")
        self.messages += 1
        self.events += len(events)

    def append_raw(self, line):
        """A bare event, already one JSON object: written as received."""
        self.writer.write(line + b"\n")
        self.messages += 1
        self.events += 1

    def close(self):
        self.writer.close()  # ends the zstd frame and closes the file


class Connection(WSListener):
    def __init__(self, sink):
        self.sink = sink
        self.ordinal = 0
        self.fragments = None

    def on_ws_frame(self, transport, frame):
        kind = frame.msg_type
        if kind == WSMsgType.TEXT and frame.fin and self.fragments is None:
            self.on_message(transport, frame.get_payload_as_bytes())
        elif kind in (WSMsgType.TEXT, WSMsgType.CONTINUATION):
            if self.fragments is None:
                self.fragments = []
            self.fragments.append(frame.get_payload_as_bytes())
            if frame.fin:
                payload, self.fragments = b"".join(self.fragments), None
                self.on_message(transport, payload)
        elif kind == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
        # PING is answered by picows itself (enable_auto_pong); PONG and BINARY are ignored.

    def on_message(self, transport, payload):
        self.ordinal += 1
        self.sink.bytes += len(payload)
        try:
            message = orjson.loads(payload)
        except orjson.JSONDecodeError as error:
            ack = {"ack": self.ordinal, "accepted": 0, "duplicates": 0, "rejected": [], "error": str(error)}
            transport.send(WSMsgType.TEXT, orjson.dumps(ack))
            return
        if isinstance(message, dict) and isinstance(message.get("events"), list):
            events = message["events"]
            seq = message.get("seq", self.ordinal)
            self.sink.append(events)
            count = len(events)
        else:
            seq, count = self.ordinal, 1
            self.sink.append_raw(payload if b"\n" not in payload else orjson.dumps(message))
        ack = {"ack": seq, "accepted": count, "duplicates": 0, "rejected": []}
        transport.send(WSMsgType.TEXT, orjson.dumps(ack))


async def serve(args):
    sink = Sink(args.out, args.level)

    def listener_factory(request):
        offered = [p.strip() for value in request.headers.getall("Sec-WebSocket-Protocol", []) for p in value.split(",")]
        headers = {"Sec-WebSocket-Protocol": SUBPROTOCOL} if SUBPROTOCOL in offered else None
        return WSUpgradeResponseWithListener(WSUpgradeResponse.create_101_response(headers), Connection(sink))

    server = await ws_create_server(listener_factory, args.host, args.port, max_frame_size=args.max_message_bytes)
    port = server.sockets[0].getsockname()[1]
    print(f"peer-server listening on {args.host}:{port}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.exit_after)
    except asyncio.TimeoutError:
        pass
    server.close()
    sink.close()
    print(f"peer-server: {sink.messages} messages, {sink.events} events, {sink.bytes} payload bytes", flush=True)


def main():
    parser = argparse.ArgumentParser(description="Naive Python peer of clicklog serve (throughput reference).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="0 picks a free port (printed)")
    parser.add_argument("--out", default="peer-events.jsonl.zst", help="the zstd-compressed JSONL file (replaced)")
    parser.add_argument("--level", type=int, default=3, help="zstd level (the library's default, 3)")
    parser.add_argument("--max-message-bytes", type=int, default=1 << 20)
    parser.add_argument("--exit-after", type=float, default=3600.0, help="seconds after which the server exits")
    args = parser.parse_args()
    if not 0 < args.exit_after <= 86400:
        parser.error("--exit-after must be more than 0 and at most 86400")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
