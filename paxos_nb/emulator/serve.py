"""``paxos-nb emulator``: serve the local Paxos in the foreground until Ctrl-C or SIGTERM.

Prints where the API, the token endpoint and the stats are, and the demo client's id; never
a secret. ``--env-file PATH`` writes a .env (mode 0600) another process can connect with.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from . import Emulator
from .clientsfile import ClientsFileError, read_clients_file
from .registry import ALL_SCOPES

__all__ = ["main", "write_env_file"]


def _error(message: str) -> int:
    print(f"paxos-nb emulator: error: {message}", file=sys.stderr, flush=True)
    return 2


def write_env_file(path: str | Path, emu: Emulator) -> Path:
    """Write the demo client's credentials for ``emu`` to ``path`` with mode 0600."""
    path = Path(path)
    client = emu.demo_client
    if client is None:
        raise ValueError("this emulator has no demo client")
    lines = [
        f"# Written by `paxos-nb emulator` (seed {emu.config.seed}); valid while it runs.",
        "PAXOS_ENV=local",
        f"PAXOS_API_URL={emu.api_url}",
        f"PAXOS_TOKEN_URL={emu.token_url}",
        f"PAXOS_WS_URL={emu.ws_url}",
        f"PAXOS_CLIENT_ID={client.client_id}",
        f"PAXOS_CLIENT_SECRET={client.client_secret}",
        f'PAXOS_SCOPES="{" ".join(client.scopes)}"',
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        if hasattr(os, "fchmod"):
            os.fchmod(fh.fileno(), 0o600)  # an existing file would keep its old mode
        fh.write("\n".join(lines) + "\n")
    return path


def main(args: argparse.Namespace) -> int:
    """Run the emulator from parsed ``paxos-nb emulator`` arguments; returns the exit code."""
    emu = Emulator(
        seed=args.seed,
        host=args.host,
        port=args.port,
        rate_limits=not args.no_rate_limits,
        ws_port=getattr(args, "ws_port", 0),
    )
    loaded = []
    if args.clients:
        try:
            reserved = (emu.demo_client.client_id,) if emu.demo_client else ()
            loaded = read_clients_file(args.clients, reserved=reserved)
        except ClientsFileError as exc:
            return _error(str(exc))
        for client in loaded:
            emu.registry.add(client)
    with _stop_signals() as stop:  # before the banner: a SIGTERM right after it must stop us
        try:
            emu.start()
        except OSError as exc:
            return _error(
                f"{exc.strerror or exc} (choose another --port or --ws-port, or 0 for a free one)"
            )
        try:
            if args.env_file:
                try:
                    env_path = write_env_file(args.env_file, emu)
                except OSError as exc:
                    return _error(f"cannot write --env-file {args.env_file}: {exc.strerror or exc}")
            _announce(emu, args, loaded)
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            emu.stop()
    print("paxos-nb emulator: stopped", flush=True)
    if args.env_file:
        print(f"(the credentials in {env_path} are no longer valid)", flush=True)
    return 0


def _announce(emu: Emulator, args: argparse.Namespace, loaded: list) -> None:
    demo = emu.demo_client
    assert demo is not None  # main() always runs with the demo client
    limits = "off" if args.no_rate_limits else "on (the documented Paxos limits)"
    extra = f" + {len(loaded)} from {args.clients}" if loaded else ""
    lines = [
        f"paxos-nb emulator (seed {emu.config.seed}) is running",
        f"  API URL:     {emu.api_url}",
        f"  Token URL:   {emu.token_url}",
        f"  Feeds URL:   {emu.ws_url} (WebSocket: /marketdata[/{{market}}], "
        "/executiondata[/{market}], /marketdata/stablecoin[/{market}])",
        f"  Stats:       {emu.stats_url}",
        f"  Demo client: {demo.client_id} (all {len(ALL_SCOPES)} scopes; its secret is new "
        "each run: use --env-file PATH, never printed)",
        f"  Clients:     1 demo{extra}; list them with GET {emu.api_url}/api-creds/credentials "
        "(scope api_creds:read_credentials)",
        f"  Rate limits: {limits}",
    ]
    if args.env_file:
        lines.append(f"  Env file:    {args.env_file} (mode 0600; PAXOS_ENV=local, demo client)")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)


@contextlib.contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM (handlers installed only on the main thread)."""
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
