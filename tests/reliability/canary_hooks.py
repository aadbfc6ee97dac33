"""Recorders for the canary scan, installed in every process of the run.

The canary test starts several processes: the ``paxos-nb emulator`` that serves the canary
clients, one Jupyter kernel per notebook, and one process per CLI command. Each calls
:func:`install_from_env` first (the kernels from an inserted first cell, the CLI processes
from ``run_cli.py``), which

* turns logging to DEBUG for every logger (levels set later by libraries are clamped to
  DEBUG too) and sends every record to a log file, and optionally to stderr;
* records, in a side file that is never scanned, every secret that appears in the process:
  each access token any emulator issues (``TokenStore.issue``), each client secret any
  emulator registers (``Registry.add``, so the secrets of emulators a notebook starts itself
  count too) and everything paxos_nb registers for redaction (``redact.register``: client
  secrets, tokens, private keys, passphrases).

The scan then looks for every recorded value in everything the run produced.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading

SECRETS_VAR = "CANARY_SECRETS_FILE"
LOG_VAR = "CANARY_LOG_FILE"
FORMAT = "%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s"
# Records that reach a kernel's sys.stderr become notebook output; the kernel's own
# machinery logs about the messages it sends, so only these libraries go there.
KERNEL_STREAM_PREFIXES = (
    "paxos_nb",
    "requests_oauthlib",
    "oauthlib",
    "urllib3",
    "requests",
    "uvicorn",
    "dotenv",
    "jwt",
)

_lock = threading.Lock()
_installed = False


def _recorder(path: str):
    def record(kind: str, value: object) -> None:
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                return
        if not isinstance(value, str) or not value:
            return
        line = json.dumps({"pid": os.getpid(), "kind": kind, "value": value})
        with _lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    return record


class _Prefixes(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith(self.prefixes)


def _debug_everywhere(log_file: str, stream_prefixes: tuple[str, ...] | None) -> None:
    root = logging.getLogger()
    formatter = logging.Formatter(FORMAT)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(formatter)
    root.addHandler(to_file)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setFormatter(formatter)
    if stream_prefixes is not None:
        to_stderr.addFilter(_Prefixes(stream_prefixes))
    root.addHandler(to_stderr)
    root.setLevel(logging.DEBUG)

    original = logging.Logger.setLevel

    def set_level(self: logging.Logger, level: int | str) -> None:  # every logger stays at DEBUG
        original(self, logging.DEBUG)

    logging.Logger.setLevel = set_level  # type: ignore[method-assign]
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
    logging.captureWarnings(True)


def _watch_secrets(record) -> None:
    from paxos_nb import redact
    from paxos_nb.emulator.registry import Registry
    from paxos_nb.emulator.tokens import TokenStore

    issue = TokenStore.issue

    def recording_issue(self, token, *args, **kwargs):
        record("token", token)
        return issue(self, token, *args, **kwargs)

    add = Registry.add

    def recording_add(self, client, *args, **kwargs):
        record("client_secret", getattr(client, "client_secret", None))
        return add(self, client, *args, **kwargs)

    register = redact.register

    def recording_register(*secrets):
        for secret in secrets:
            record("registered", secret)
        return register(*secrets)

    TokenStore.issue = recording_issue
    Registry.add = recording_add
    redact.register = recording_register


def install_from_env(*, kernel: bool = False) -> None:
    """Install the recorders once, with the files named by the environment."""
    global _installed
    if _installed:
        return
    _installed = True
    _debug_everywhere(os.environ[LOG_VAR], KERNEL_STREAM_PREFIXES if kernel else None)
    _watch_secrets(_recorder(os.environ[SECRETS_VAR]))
