"""The ``paxos-nb`` command: a thin argparse front; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from . import __version__

# command -> "module:function"; modules load only when their command runs.
COMMANDS = {
    "emulator": "paxos_nb.emulator.serve:main",
    "doctor": "paxos_nb.commands:doctor",
    "scopes": "paxos_nb.commands:scopes",
    "call": "paxos_nb.commands:call",
    "parity": "paxos_nb.commands:parity",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paxos-nb",
        description="Explore the authenticated Paxos v2 API; runs offline on a local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"paxos-nb {__version__}")
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log to stderr at this level (secrets and tokens are scrubbed, even at DEBUG)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    emu = sub.add_parser("emulator", help="serve the local Paxos emulator and print its URLs")
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    emu.add_argument("--seed", type=int, default=0, help="seed of the deterministic data")
    emu.add_argument(
        "--clients",
        metavar="FILE.json",
        help="API credentials to register: FirstPartyClient objects plus client_secret",
    )
    emu.add_argument(
        "--env-file",
        metavar="PATH",
        help="write a .env (mode 0600) for the demo client, to connect from another process",
    )
    emu.add_argument(
        "--no-rate-limits", action="store_true", help="turn off the documented rate limits"
    )

    doc = sub.add_parser("doctor", help="check a .env end to end: load, token, scopes, one call")
    doc.add_argument("env_file", nargs="?", default=".env", help="path to the .env (default .env)")

    sc = sub.add_parser("scopes", help="the scope catalog and the least-privilege planner")
    sc.add_argument(
        "names",
        nargs="*",
        help="operation ids, 'METHOD /path' or tags to plan for; none lists every scope",
    )
    sc.add_argument("--preset", help="show a task preset (e.g. convert)")
    sc.add_argument("--explain", metavar="SCOPE", help="what one scope unlocks")

    call = sub.add_parser("call", help="make one API call and print the result as a table")
    call.add_argument("method", help="GET, POST, PUT or DELETE")
    call.add_argument("path", help="path relative to /v2, e.g. /profiles")
    call.add_argument(
        "--env-file",
        help="credentials (default: the .env px.connect() finds, else the embedded emulator)",
    )
    call.add_argument(
        "-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="query parameter"
    )
    call.add_argument("--json", dest="body", help="JSON request body (POST/PUT)")
    call.add_argument("--raw", action="store_true", help="print the JSON instead of a table")
    call.add_argument("--scopes", help="space-separated scopes (default: what the path needs)")

    par = sub.add_parser(
        "parity",
        help="compare the shapes of a real environment's answers with the emulator's",
        description="Tour every list and get operation the credential's scopes allow on the "
        "environment of the .env and on an embedded emulator, and compare shapes (never "
        "values). Exit 0: no difference; 1: differences; 2: could not run.",
    )
    par.add_argument(
        "--env-file", help="credentials (default: the .env px.connect() finds, else PAXOS_*)"
    )
    par.add_argument(
        "--output", metavar="FILE.json", help="save the report: shapes only, safe to share"
    )
    par.add_argument(
        "--with-sandbox-writes",
        action="store_true",
        help="also make one sandbox deposit on both sides (refused in production)",
    )
    par.add_argument("--scopes", help="space-separated scopes (default: PAXOS_SCOPES)")
    par.add_argument(
        "--operation",
        action="append",
        metavar="NAME",
        help="tour only this operation (id, 'GET /path' or tag); repeatable",
    )
    par.add_argument("--seed", type=int, default=0, help="the emulator's seed (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stdout)
        return 0
    if args.log_level:
        logging.basicConfig(
            level=args.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
    module, _, func = COMMANDS[args.command].partition(":")
    handler = getattr(importlib.import_module(module), func)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `paxos-nb scopes | head`: the reader left; exit quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail
        return 141
