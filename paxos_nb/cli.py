"""The ``paxos-nb`` command: a thin argparse front over the package."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paxos-nb",
        description="Explore the authenticated Paxos v2 API; runs offline on a local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"paxos-nb {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stdout)
        return 0
    return int(handler(args) or 0)
