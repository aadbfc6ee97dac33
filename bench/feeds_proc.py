"""The two WebSocket servers of the feeds benchmark, each run as a child process.

``python bench/feeds_proc.py emulator``: a ``paxos_nb.Emulator`` (seed 0, rate limits off,
a frozen clock so that only the benchmark moves the book). ``python bench/feeds_proc.py
bare``: a bare ``websockets`` server that broadcasts (the baseline). Each writes one JSON line
(its URLs) and then obeys stdin, one command per line:

- ``drive SECONDS``: produce messages as fast as the subscribers take them for SECONDS, then
  print ``{"produced": n}``. The emulator moves its clock by 200 s per step, which rebuilds
  the subscribed book (about 80-160 UPDATEs each); the bare server broadcasts one
  UPDATE-sized message per step. Both pause while any subscriber has more than 512 KiB unsent
  (the emulator would close it as a slow consumer at 4 MiB).
- the bare server also echoes any text a client sends to every client (the latency floor).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from datetime import datetime, timezone

PACE_BYTES = 512 * 1024
MESSAGE = json.dumps(
    {"type": "UPDATE", "market": "BTCUSD", "side": "BUY", "price": "111065.25", "amount": "0.2096"}
)


def _emulator() -> None:
    from paxos_nb.emulator import Clock, Emulator

    clock = Clock(at=datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc))
    emu = Emulator(seed=0, rate_limits=False, clock=clock).start()
    demo = emu.demo_client
    assert demo is not None
    print(
        json.dumps(
            {
                "api_url": emu.api_url,
                "token_url": emu.token_url,
                "ws_url": emu.ws_url,
                "client_id": demo.client_id,
                "client_secret": demo.client_secret,
            }
        ),
        flush=True,
    )
    feeds = emu.feeds
    assert feeds is not None
    for line in sys.stdin:
        if line.startswith("drive"):
            end = time.perf_counter() + float(line.split()[1])
            before = feeds.stats().get("messages", 0)
            while time.perf_counter() < end:
                while feeds.buffered() > PACE_BYTES and time.perf_counter() < end:
                    time.sleep(0.0005)
                emu.advance(200)
            produced = feeds.stats().get("messages", 0) - before
            print(json.dumps({"produced": produced}), flush=True)
    emu.stop()


def _bare() -> None:
    from websockets.asyncio.server import broadcast, serve

    clients: set = set()
    commands: asyncio.Queue[str] = asyncio.Queue()

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            async for text in ws:  # the echo: one client's text to every client
                broadcast(clients, text)
        finally:
            clients.discard(ws)

    def buffered() -> int:
        return max((c.transport.get_write_buffer_size() for c in clients), default=0)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with serve(handler, "127.0.0.1", 0, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(json.dumps({"ws_url": f"ws://127.0.0.1:{port}"}), flush=True)

            def read() -> None:
                for line in sys.stdin:
                    loop.call_soon_threadsafe(commands.put_nowait, line)
                loop.call_soon_threadsafe(commands.put_nowait, "")

            threading.Thread(target=read, daemon=True).start()
            while line := await commands.get():
                if line.startswith("drive"):
                    end = time.perf_counter() + float(line.split()[1])
                    produced = 0
                    while time.perf_counter() < end:
                        if buffered() > PACE_BYTES:
                            await asyncio.sleep(0.0005)
                            continue
                        for _ in range(50):  # a burst, like a book rebuild
                            broadcast(clients, MESSAGE)
                        produced += 50 * len(clients)
                        await asyncio.sleep(0)
                    print(json.dumps({"produced": produced}), flush=True)

    asyncio.run(main())


if __name__ == "__main__":
    {"emulator": _emulator, "bare": _bare}[sys.argv[1]]()
