"""Handlers of ``paxos-nb doctor``, ``scopes``, ``call`` and ``parity`` (see cli.py).

Each takes the parsed ``argparse.Namespace`` and returns the exit status: 0 on success,
1 when a check or the call failed (the message and its hint go to stderr). No handler ever
prints a secret or a token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from . import catalog, redact
from .errors import ConfigError, PaxosError
from .notices import PaxosWarning

__all__ = ["call", "doctor", "parity", "scopes"]

OK, FAIL, SKIP = "✓", "✗", "–"
# Cheap reads to prove a token works, best first: (operation id, query parameters).
_PROBES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("ListProfiles", {"limit": 1}),
    ("ListTransfers", {"limit": 1}),
    ("ListOrders", {"limit": 1}),
    ("ListApiCredentials", {"limit": 1}),
    ("ListDepositAddresses", {"limit": 1}),
    ("ListIdentities", {"limit": 1}),
)


def _out(line: str = "") -> None:
    sys.stdout.write(redact.scrub(line) + "\n")


def _err(error: BaseException) -> None:
    sys.stderr.write(redact.scrub(f"error: {error}") + "\n")


def _guard(run: Callable[[], int]) -> int:
    try:
        return run()
    except PaxosError as exc:
        _err(exc)
        return 1


# -- doctor -----------------------------------------------------------------------------------


def doctor(args: argparse.Namespace) -> int:
    """Check a .env end to end: load, variables, token, granted vs requested scopes, one call.

    Any ``PAXOS_*`` variable paxos_nb does not read (a typo such as ``PAXOS_SCOPE``) fails
    the check, with the variable it is closest to.
    """
    from pathlib import Path

    from .config import Credentials
    from .envfile import read_env_file

    path = Path(args.env_file).expanduser()
    _out(f"paxos-nb doctor: {path.resolve()}")
    try:
        with warnings.catch_warnings():  # doctor reports strays itself, below
            warnings.simplefilter("ignore", PaxosWarning)
            creds = Credentials.from_env(path)
        file_values, _ = read_env_file(path)
    except PaxosError as exc:
        return _fail("load", exc)
    _out(f"{OK} loaded {path.resolve()}")
    for var, source in sorted(creds.sources.items()):
        _out(f"    {var:<24} {source}")
    for note in creds.notes:
        _out(f"    note: {note}")
    return _connect_and_call(creds, _check_variables(file_values, path))


def _check_variables(file_values: dict[str, Any], path: Any) -> int:
    """0 when every PAXOS_* variable is one paxos_nb reads; 1 (with what to fix) otherwise."""
    from .config import stray_variables

    status = 0
    for where, names in ((f"{path}", file_values), ("os.environ", os.environ)):
        for name, meant in sorted(stray_variables(names).items()):
            guess = f"; did you mean {meant}?" if meant else ""
            _out(f"{FAIL} variables: {name} (in {where}) is not a paxos_nb variable{guess}")
            status = 1
    scopes = file_values.get("PAXOS_SCOPES") or ""
    if "," in scopes:
        _out(
            "    note: PAXOS_SCOPES separates scopes with commas; paxos_nb accepts that, "
            "but Paxos writes them separated by spaces (PAXOS_SCOPES=a:b c:d)"
        )
    if status == 0:
        _out(f"{OK} variables: every PAXOS_* variable is one paxos_nb reads")
    return status


def _connect_and_call(creds: Any, status: int) -> int:
    """The token, the scopes and one call; ``status`` so far in, the final status out."""
    from .session import connect

    where = creds.api_url or "(the embedded emulator)"
    _out(f"{OK} environment {creds.environment}: {where}  client {redact.mask(creds.client_id)}")

    try:
        session = connect(creds)
    except PaxosError as exc:
        return _fail("token", exc)
    with session:
        token = session.token
        left = token.expires_in
        expiry = "expiry unknown" if left is None else f"expires in {left:.0f} s"
        _out(f"{OK} token: {token.token_type}, {expiry}")
        granted = set(token.scopes)
        if token.missing:
            _out(f"{FAIL} scopes: requested but not granted: {' '.join(token.missing)}")
            _out("    hint: allow them on the API credential in the Dashboard, or drop them")
            status = 1
        else:
            _out(f"{OK} scopes: all {len(token.requested)} requested scopes granted")
        for scope in sorted(granted):
            _out(f"    {scope}")
        probe = _probe(granted)
        if probe is None:
            _out(f"{SKIP} call: no granted scope allows a cheap read; skipped")
            return status
        op, params = probe
        try:
            session.get(op.path, params=params)
        except PaxosError as exc:
            return _fail(f"call {op.key}", exc)
        _out(f"{OK} call: {op.key} ({op.operation_id}) answered")
    _out("all checks passed" if status == 0 else "some checks failed")
    return status


def _fail(step: str, exc: BaseException) -> int:
    _out(f"{FAIL} {step}: {exc}")
    return 1


def _probe(granted: set[str]) -> tuple[catalog.Operation, dict[str, Any]] | None:
    for op_id, params in _PROBES:
        op = catalog.by_id(op_id)
        if op is not None and op.scope in granted:
            return op, params
    for op in catalog.operations():  # any GET without path or required query parameters
        required = [p for p in op.params if p.get("required") and p.get("in") == "query"]
        if op.method == "GET" and op.scope in granted and "{" not in op.path and not required:
            return op, {}
    return None


# -- scopes -----------------------------------------------------------------------------------


def scopes(args: argparse.Namespace) -> int:
    """The scope catalog, one scope explained, a preset, or a least-privilege plan."""
    return _guard(lambda: _scopes(args))


def _scopes(args: argparse.Namespace) -> int:
    from . import scopes as px_scopes

    if args.explain:
        _out(str(px_scopes.explain(args.explain)))
        return 0
    if args.preset:
        chosen = px_scopes.PRESETS[args.preset]
        _out(f"preset {args.preset}: {len(chosen)} scope(s)")
        for scope in chosen:
            _out(f"  {scope}")
        _out(f"Dashboard / PAXOS_SCOPES: {px_scopes.dashboard_string(chosen)}")
        return 0
    if args.names:
        plan = px_scopes.plan(args.names)
        _out(str(plan))
        _out(f"Dashboard / PAXOS_SCOPES: {plan.dashboard_string}")
        return 0
    import pandas as pd

    table = px_scopes.catalog()[["scope", "access", "description"]]
    with pd.option_context(
        "display.max_rows", None, "display.max_colwidth", 70, "display.width", 200
    ):
        _out(table.to_string(index=False))
    _out(f"presets: {', '.join(px_scopes.PRESETS)} (paxos-nb scopes --preset NAME)")
    return 0


# -- call -------------------------------------------------------------------------------------


def call(args: argparse.Namespace) -> int:
    """One API call, printed as a table (or JSON with --raw)."""
    return _guard(lambda: _call(args))


def _call(args: argparse.Namespace) -> int:
    from .preflight import api_path
    from .session import connect

    method = args.method.upper()
    if method not in ("GET", "POST", "PUT", "DELETE"):
        raise ConfigError(f"unknown method {args.method!r}", hint="use GET, POST, PUT or DELETE")
    path = api_path(args.path)
    params = _params(args.param)
    body = None
    if args.body is not None:
        try:
            body = json.loads(args.body)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"--json is not valid JSON ({exc.msg} at character {exc.pos})",
                hint='quote the body for the shell: --json \'{"key": "value"}\'',
            ) from None
    op = catalog.match(method, path)
    if args.scopes:
        wanted: Any = args.scopes
    else:
        from . import scopes as px_scopes

        wanted = px_scopes.required([f"{method} {path}"]) or None  # raises for unknown paths
    env_file = True if args.env_file is None else args.env_file  # True: the default lookup
    with connect(scopes=wanted, env_file=env_file, progress=False) as session:
        result = session.request(method, path, params=params, json=body)
    if args.raw:
        _out(json.dumps(result, indent=2, sort_keys=False))
        return 0
    _out(_table(result, op))
    return 0


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"-p {pair!r} is not KEY=VALUE", hint="e.g. -p limit=10")
        if key in out:  # repeated keys become a list: -p markets=BTCUSD -p markets=ETHUSD
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _table(result: Any, op: catalog.Operation | None) -> str:
    import pandas as pd

    from .frames import records_to_frame
    from .pagination import extract

    records = extract(result, op.envelope if op else (), op.envelope_all if op else False)
    with pd.option_context(
        "display.max_columns", None, "display.width", 200, "display.max_rows", 60
    ):
        if not records:
            return "(no records)" if isinstance(result, (dict, list)) and result else "{}"
        frame = records_to_frame(records)
        if len(frame) == 1:  # one object: a key/value listing reads better
            return frame.T.rename(columns={0: "value"}).to_string()
        text = frame.to_string(max_rows=60)
        if isinstance(result, dict) and result.get("next_page_cursor"):
            text += "\n(more pages: pass -p page_cursor=... or use session.frame())"
        return text


# -- parity -----------------------------------------------------------------------------------


def parity(args: argparse.Namespace) -> int:
    """Shapes of a real environment vs the emulator: 0 same, 1 differences, 2 could not run."""
    from . import parity as px_parity

    sys.stderr.write("paxos-nb parity: touring the reference, then the emulator...\n")
    try:
        report = px_parity.run(
            env_file=True if args.env_file is None else args.env_file,
            scopes=args.scopes,
            with_sandbox_writes=args.with_sandbox_writes,
            operations=args.operation,
            seed=args.seed,
        )
    except PaxosError as exc:
        sys.stderr.write(redact.scrub(f"paxos-nb parity could not run: {exc}") + "\n")
        return 2
    ref = report.reference
    _out(f"reference: {ref['environment']}, {len(ref['granted_scopes'])} granted scope(s)")
    _out(f"emulator: the local Paxos emulator, seed {report.emulator['seed']}")
    _out("")
    _out(report.table())
    if args.output:
        try:
            path = report.save(args.output)
        except OSError as exc:
            sys.stderr.write(f"paxos-nb parity could not write {args.output}: {exc.strerror}\n")
            return 2
        _out(f"report (shapes only, no values, ids or secrets) written to {path}")
    return report.exit_code
