"""The emulator in its own process, so its CPU use never shares the benchmark client's GIL.

Run as a script it is the child: an :class:`paxos_nb.Emulator` with rate limits off (the
documented 50 requests/s average would throttle every benchmark) and a seeded history large
enough to hold ``--transfers`` transfers. It writes one JSON line (URLs and the demo client's
credentials) to stdout, a pipe read only by the parent, and serves until its stdin closes.

:class:`EmulatorProcess` is the parent's handle: start, read the line, stop.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Seeded transfers per history event (about 1.33: internal transfers add two records); the
# child grows the history until the count is reached, so this only saves a rebuild.
_PER_EVENT = 1.3


class EmulatorProcess:
    """A child process serving a fresh emulator; a context manager.

    Parameters
    ----------
    transfers : int
        At least this many transfers exist in the ledger (for the paging benchmark).
    seed : int
        The emulator's seed.
    """

    def __init__(self, transfers: int = 0, seed: int = 0) -> None:
        self.transfers, self.seed = transfers, seed
        self.proc: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def __enter__(self) -> EmulatorProcess:
        cmd = [
            sys.executable,
            __file__,
            "--seed",
            str(self.seed),
            "--transfers",
            str(self.transfers),
        ]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.proc.wait(10)
            raise RuntimeError(f"the emulator process exited ({self.proc.returncode}) at start")
        self.info = json.loads(line)
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin:
            proc.stdin.close()  # the child's signal to stop
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(5)

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else -1

    def creds(self) -> Any:
        """``px.Credentials`` for the emulator's demo client."""
        import paxos_nb as px

        i = self.info
        return px.Credentials(
            i["client_id"],
            i["client_secret"],
            "local",
            api_url=i["api_url"],
            token_url=i["token_url"],
        )

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats`` on its own short-lived connection (not counted twice:
        callers take differences around what they measure)."""
        with urllib.request.urlopen(self.info["stats_url"], timeout=10) as resp:  # noqa: S310
            return json.loads(resp.read())


def _serve(seed: int, transfers: int) -> None:
    from paxos_nb.emulator import Emulator

    history = 2000
    if transfers:
        history = max(history, int(transfers / _PER_EVENT))
    while True:
        emu = Emulator(seed=seed, rate_limits=False, ledger_options={"history": history})
        if len(emu.ledger.transfers) >= transfers:
            break
        history = int(history * 1.1) + 1
    with emu:
        demo = emu.demo_client
        info = {
            "api_url": emu.api_url,
            "token_url": emu.token_url,
            "stats_url": emu.stats_url,
            "client_id": demo.client_id,
            "client_secret": demo.client_secret,
            "transfers": len(emu.ledger.transfers),
            "history": history,
        }
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # blocks until the parent closes the pipe (or dies)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--transfers", type=int, default=0)
    args = parser.parse_args(argv)
    _serve(args.seed, args.transfers)


if __name__ == "__main__":
    main()
