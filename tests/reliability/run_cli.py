"""Run one ``paxos-nb`` command with DEBUG logging and the canary recorders installed.

``python run_cli.py doctor .env`` is ``paxos-nb doctor .env`` plus what
``canary_hooks.install_from_env`` adds: every logger at DEBUG (to the log file and stderr)
and the side file of secrets seen in this process.
"""

from __future__ import annotations

import sys

import canary_hooks

if __name__ == "__main__":
    canary_hooks.install_from_env()
    from paxos_nb.cli import main

    sys.exit(main(sys.argv[1:]))
