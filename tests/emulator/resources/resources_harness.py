"""Call emulator handlers in-process, shaped like HTTP: (status, JSON body)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from paxos_nb import catalog
from paxos_nb.emulator.call import Backends, Query
from paxos_nb.emulator.fmt import dumps
from paxos_nb.emulator.ledger import Ledger
from paxos_nb.emulator.problems import Problem
from paxos_nb.emulator.registry import Registry
from paxos_nb.emulator.routes import Call, load
from paxos_nb.emulator.tokens import TokenStore


class Direct:
    """``direct("GET", "/profiles?limit=2")`` -> ``(200, {...})`` without a server.

    ``now`` is the emulator clock; tests move it forward to make PENDING things settle.
    """

    def __init__(self, ledger: Ledger | None = None, now: datetime | None = None) -> None:
        self.handlers = load()
        self.ledger = ledger or Ledger(0)
        self.backends = Backends(ledger=self.ledger, registry=Registry(), tokens=TokenStore())
        self.now = now or datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)

    def __call__(
        self, method: str, target: str, body: Any = None, now: datetime | None = None
    ) -> tuple[int, Any]:
        parts = urlsplit(target)
        op = catalog.match(method, parts.path)
        assert op is not None, f"no operation for {method} {parts.path}"
        names = re.findall(r"\{([^}]+)\}", op.path)
        pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(op.path))
        values = re.fullmatch(pattern, parts.path.removeprefix("/v2")).groups()
        raw = b"" if body is None else json.dumps(body).encode()
        call = Call(
            op=op,
            path_params=dict(zip(names, values, strict=True)),
            query=Query(parts.query),
            body=body,
            raw_body=raw,
            client_id="direct",
            scopes=(),
            now=now or self.now,
            backends=self.backends,
        )
        try:
            return 200, json.loads(dumps(self.handlers[op.operation_id](call)))
        except Problem as problem:
            return problem.status, problem.body()
