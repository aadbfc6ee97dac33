"""Does the emulator match real Paxos? Compare the shapes of two environments' answers.

>>> df = px.parity.compare()                      # doctest: +SKIP
>>> df[df.result == "differs"]                    # doctest: +SKIP

:func:`run` connects to a reference environment (a sandbox credential from a .env or the
``PAXOS_*`` variables, or any :class:`~paxos_nb.Credentials` or session) and to an
embedded emulator holding a client with the same granted scopes, tours every GET operation
of the catalog those scopes allow (plus the public market data) on both, asks for one
operation the token lacks the scope of (the 403 problem), and compares shapes only: fields
present on one side, JSON types, timestamp forms, enum values outside the spec, the paging
family and cursor behaviour. No write is made, unless ``with_sandbox_writes=True`` (then
one sandbox deposit, refused in production). :func:`compare` returns the result as a
DataFrame; ``paxos-nb parity --output FILE.json`` saves the shareable report.

The modules: :mod:`.shapes` (an answer -> field paths and type tags), :mod:`.binding`
(ids for gets, from the lists), :mod:`.tour` and :mod:`.pages` (one side's observations),
:mod:`.probes` (the 403 and the sandbox write), :mod:`.diff` (the findings),
:mod:`.report` (table, frame, JSON).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..client import PaxosSession
from ..config import Credentials
from ..envfile import EnvFile
from ..environments import environment_of_url
from ..errors import ConfigError
from ..operation_lookup import known_scopes, resolve
from ..session import connect
from .probes import choose_probe, problem_probe, sandbox_deposit
from .report import OperationResult, ParityReport
from .tour import Tour

if TYPE_CHECKING:
    import pandas as pd

    from ..emulator import Emulator

__all__ = ["OperationResult", "ParityReport", "compare", "run"]

logger = logging.getLogger(__name__)

Reference = Credentials | PaxosSession | None


def compare(
    reference: Reference = None,
    *,
    emulator: Emulator | None = None,
    scopes: str | Iterable[str] | None = None,
    env_file: EnvFile = True,
    with_sandbox_writes: bool = False,
    operations: Iterable[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Shapes of a real environment vs the emulator, as a DataFrame.

    The arguments are those of :func:`run`. The frame has one row per difference (``kind``,
    ``field``, what the ``reference`` and the ``emulator`` showed: types and forms, never
    values) and one row per operation without any (``kind`` empty, ``result`` ``same`` or
    ``skipped`` with the reason in ``note``). ``frame.attrs["exit_code"]`` is 0 without
    differences, 1 with.
    """
    report = run(
        reference,
        emulator=emulator,
        scopes=scopes,
        env_file=env_file,
        with_sandbox_writes=with_sandbox_writes,
        operations=operations,
        seed=seed,
    )
    return report.frame()


def run(
    reference: Reference = None,
    *,
    emulator: Emulator | None = None,
    scopes: str | Iterable[str] | None = None,
    env_file: EnvFile = True,
    with_sandbox_writes: bool = False,
    operations: Iterable[str] | None = None,
    seed: int = 0,
) -> ParityReport:
    """Tour the reference and the emulator; the :class:`ParityReport`.

    Parameters
    ----------
    reference : Credentials, PaxosSession or None
        The environment to measure the emulator against. None: ``Credentials.from_env``
        (the ``env_file`` policy: a .env, else the ``PAXOS_*`` variables). A session is used
        as it is and left open.
    emulator : Emulator, optional
        The emulator to compare; a client holding the granted scopes is added to it (it is
        started, and stopped afterwards, if it was not running). Default: an embedded one
        with ``seed``.
    scopes : str or sequence of str, optional
        Scopes to request from the reference. Default: the credentials' ``PAXOS_SCOPES``.
        The tour covers what the granted scopes allow.
    env_file : str, path-like, True or None
        Which .env to read when ``reference`` is None (see :func:`paxos_nb.connect`).
    with_sandbox_writes : bool
        Also make one sandbox-safe write (a 100 USD sandbox deposit to the first profile)
        on both sides before the tour. Refused in production.
    operations : iterable of str, optional
        Limit the tour to these GET operations (ids, ``"GET /path"`` or tags).
    seed : int
        The embedded emulator's seed.

    Raises
    ------
    ConfigError
        No credentials, no scopes, an unknown operation, or sandbox writes asked for in
        production.
    AuthError, TransportError
        The reference refused the token request, or could not be reached.
    """
    tour_ops = _operations(operations)
    with ExitStack() as stack:
        ref_session, ref_creds = _reference(
            reference, scopes, env_file, stack, writes=with_sandbox_writes
        )
        token = ref_session.token
        granted = tuple(token.scopes)
        emu = _emulator(emulator, seed, stack)
        emu_creds, emu_scopes = _emulator_client(emu, granted)
        emu_session = stack.enter_context(connect(emu_creds, emu_scopes, progress=False))
        ref_tour, emu_tour = Tour(ref_session, granted), Tour(emu_session, emu_scopes)
        results: list[OperationResult] = []
        if with_sandbox_writes:
            results.append(
                OperationResult.of(
                    "CreateSandboxDeposit (sandbox write)",
                    "POST",
                    "/sandbox/profiles/{profile_id}/deposit",
                    sandbox_deposit(ref_tour),
                    sandbox_deposit(emu_tour),
                )
            )
        for op in tour_ops:
            if ref_tour.allowed(op):
                ref, emu_obs = ref_tour.observe(op), emu_tour.observe(op)
                results.append(
                    OperationResult.of(
                        op.operation_id, op.method, op.path, ref, emu_obs, pagination=op.pagination
                    )
                )
        results += _probe(granted, ref_creds, emu_creds, ref_tour, emu_tour, stack)
        notes = []
        if token.missing:
            notes.append(f"requested but not granted: {' '.join(token.missing)}")
        unknown = sorted(set(granted) - set(emu_scopes))
        if unknown:
            notes.append(f"granted scopes the catalog does not know: {' '.join(unknown)}")
        return ParityReport(
            results,
            reference={"environment": ref_session.environment, "granted_scopes": sorted(granted)},
            emulator={"seed": emu.config.seed},
            notes=notes,
        )


# -- the two sides ------------------------------------------------------------------------------


def _reference(
    reference: Reference, scopes: Any, env_file: EnvFile, stack: ExitStack, *, writes: bool
) -> tuple[PaxosSession, Credentials]:
    if isinstance(reference, PaxosSession):
        if writes:
            _refuse_production(reference.creds)
        return reference, reference.creds
    if reference is None:
        reference = Credentials.from_env(env_file)
    if not isinstance(reference, Credentials):
        raise ConfigError(
            f"reference must be px.Credentials or a session, not {type(reference).__name__}",
            hint="pass px.Credentials.from_env('.env'), or leave it out to read the .env",
        )
    if not reference.api_url:
        raise ConfigError(
            "the reference has no API URL (PAXOS_ENV=local without PAXOS_API_URL)",
            hint="parity compares a real environment with the emulator: use a sandbox .env, "
            "or point PAXOS_API_URL and PAXOS_TOKEN_URL at the server to compare",
        )
    if writes:
        _refuse_production(reference)  # before any request
    session = stack.enter_context(connect(reference, scopes, progress=False))
    return session, reference


def _refuse_production(creds: Credentials) -> None:
    urls = (creds.api_url or "", creds.token_url or "")
    if creds.environment == "production" or "production" in map(environment_of_url, urls):
        raise ConfigError(
            "sandbox writes (with_sandbox_writes, --with-sandbox-writes) are refused in production",
            hint="drop --with-sandbox-writes (the read-only tour is safe), or use a sandbox .env",
        )


def _emulator(emulator: Emulator | None, seed: int, stack: ExitStack) -> Emulator:
    if emulator is None:
        from ..emulator import Emulator  # the server stack loads only when needed

        return stack.enter_context(Emulator(seed=seed))
    if not emulator.running:
        emulator.start()
        stack.callback(emulator.stop)
    return emulator


def _emulator_client(
    emu: Emulator, granted: tuple[str, ...]
) -> tuple[Credentials, tuple[str, ...]]:
    """A client of the emulator allowed the reference's granted scopes (those it knows)."""
    known = known_scopes()
    scopes = tuple(s for s in granted if s in known)
    client = emu.add_client(scopes=scopes, nickname="paxos-nb parity")
    creds = Credentials(
        client.client_id,
        client.client_secret,
        "local",
        api_url=emu.api_url,
        token_url=emu.token_url,
    )
    return creds, scopes


def _operations(names: Iterable[str] | None) -> list[catalog.Operation]:
    if names is None:
        chosen = [op for op in catalog.operations() if op.method == "GET"]
    else:
        if isinstance(names, str):
            names = [names]
        chosen = []
        for name in names:
            gets = [op for op in resolve(name) if op.method == "GET"]
            if not gets:
                raise ConfigError(
                    f"{name!r} names no GET operation: parity tours list and get operations only",
                    hint="name list and get operations, or a tag (the one sandbox write is "
                    "with_sandbox_writes / --with-sandbox-writes)",
                )
            chosen += [op for op in gets if op not in chosen]
    # Lists before the gets that take their ids.
    return sorted(chosen, key=lambda op: (op.path.count("{"), op.path))


def _probe(
    granted: tuple[str, ...],
    ref_creds: Credentials,
    emu_creds: Credentials,
    ref_tour: Tour,
    emu_tour: Tour,
    stack: ExitStack,
) -> list[OperationResult]:
    """The 403 row: an operation outside the grant, or a token requested without a scope."""
    choice = choose_probe(frozenset(granted), catalog.operations())
    if choice is None:
        return []
    op, narrowed = choice
    scope = op.scope or ""
    label = f"{op.operation_id} (403 probe)"
    if narrowed is not None:
        ref_session = stack.enter_context(connect(ref_creds, narrowed, progress=False))
        emu_session = stack.enter_context(connect(emu_creds, narrowed, progress=False))
        ref_tour, emu_tour = Tour(ref_session, narrowed), Tour(emu_session, narrowed)
    ref = problem_probe(ref_tour, op, scope)
    emu = problem_probe(emu_tour, op, scope)
    row = OperationResult.of(label, op.method, op.path, ref, emu, facts_kind="problem")
    how = "a token requested without" if narrowed is not None else "a token that lacks"
    row.notes.append(f"called with {how} {scope}")
    return [row]
