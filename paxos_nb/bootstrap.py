"""``px.connect()``: credentials from the arguments, a .env or ``os.environ``, else the emulator.

The chain, first match wins:

1. ``creds`` given: used as they are;
2. a .env (the ``env_file`` policy of :mod:`paxos_nb.envfile`) or ``PAXOS_*`` variables
   exist: :meth:`Credentials.from_env(env_file) <paxos_nb.config.Credentials.from_env>`;
3. nothing at all: the embedded local emulator and its demo client, announced in one line
   (:func:`paxos_nb.notices.note`: the user must know this is not Paxos).

``PAXOS_ENV=local`` without URLs uses the embedded emulator too. There is one per process
(:mod:`paxos_nb.embedded`): a second ``connect()`` reuses the running one, never silently
starting another Paxos with different state; the last session using it stops it on
``close()``. The token is fetched before ``connect`` returns, so a wrong secret fails here,
not at the first call. The new session becomes the current one (:mod:`paxos_nb.current`),
the one ``%paxos``, the widgets and the explorer use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from typing import Any

from . import current as current_session
from . import embedded, notices
from . import scopes as scope_catalog
from .client import PaxosSession
from .config import Credentials
from .envfile import EnvFile
from .envfile import exists as env_file_exists
from .errors import ConfigError
from .request_auth import Signer
from .retry import RetryPolicy

__all__ = ["connect"]

# Any of these in os.environ means the user configured credentials there.
_ENV_MARKERS = ("PAXOS_CLIENT_ID", "PAXOS_ENV", "PAXOS_API_URL")


def connect(
    creds: Credentials | None = None,
    scopes: str | Iterable[str] | None = None,
    *,
    env_file: EnvFile = True,
    allow_writes: bool = False,
    auth_method: str = "post",
    timeout: float = 30,
    retry: RetryPolicy | None = None,
    signer: Signer | None = None,
    progress: bool | None = None,
    seed: int = 0,
    current: bool = True,
) -> PaxosSession:
    """Open a :class:`PaxosSession`: given credentials, else .env / os.environ, else the emulator.

    Parameters
    ----------
    creds : Credentials, optional
        Default: ``Credentials.from_env(env_file)`` when a .env or ``PAXOS_*`` variables
        exist; with none at all, the embedded local emulator (seed ``seed``) and its demo
        client, announced in one line (a quiet note in Jupyter, stderr elsewhere). A running
        embedded emulator with that seed is reused, so every session of a process sees the
        same emulated Paxos.
    scopes : str or sequence of str, optional
        Scope names, a space-separated string, or a preset name (``"analyst"``). Default:
        the credentials' ``PAXOS_SCOPES``; the read-only ``analyst`` preset on the emulator.
    env_file : str, path-like, True or None, default True
        Which .env to read when ``creds`` is not given. True: look up the default .env
        (``PAXOS_NB_ENV_FILE``, else the nearest ``.env`` from the working directory up to
        the project root), skipped when there is none. A path: that file, which must exist.
        None: no file (``PAXOS_*`` variables only).
    allow_writes : bool
        Needed for POST/PUT/DELETE in production.
    auth_method : {"post", "basic"}
        How the client id and secret reach the token endpoint.
    timeout : float
        Seconds per HTTP request.
    retry : RetryPolicy, optional
        Retries of API calls and token requests.
    signer : object with ``apply(prepared_request)``, optional
        Default: a :class:`~paxos_nb.signing.RequestSigner` when the credentials name a key.
    progress : bool or None
        Default progress bars of ``frame()`` (None: only when interactive).
    seed : int
        The embedded emulator's data seed.
    current : bool
        Make the new session the current one (what ``%paxos``, the widgets and the
        explorer use when not told otherwise).

    Returns
    -------
    PaxosSession
    """
    emulator = release = None
    with ExitStack() as cleanup:  # ends the emulator lease taken here if anything fails
        if creds is None:
            if env_file_exists(env_file) or any(os.environ.get(v) for v in _ENV_MARKERS):
                creds = Credentials.from_env(env_file)
            else:
                emulator, release, creds = _embedded(cleanup, seed, why="no credentials found")
        elif not isinstance(creds, Credentials):
            raise ConfigError(
                f"creds must be a px.Credentials, not {type(creds).__name__}",
                hint="build one with px.Credentials(...) or px.Credentials.from_env('.env')",
            )
        if creds.environment == "local" and not creds.api_url:
            emulator, release, creds = _embedded(
                cleanup, seed, base=creds, why="PAXOS_ENV=local without a URL"
            )
        session = PaxosSession(
            creds,
            _choose_scopes(scopes, creds, emulator is not None),
            allow_writes=allow_writes,
            auth_method=auth_method,
            timeout=timeout,
            retry=retry,
            signer=signer,
            emulator=emulator,
            release=release,
            progress=progress,
        )
        cleanup.pop_all()  # the session holds the lease now
    try:
        session.token  # noqa: B018 -- fail at connect, not at the first call
    except BaseException:
        session.close()
        raise
    if current:
        current_session.use(session)
    return session


def _choose_scopes(scopes: Any, creds: Credentials, embedded: bool) -> tuple[str, ...]:
    if isinstance(scopes, str) and scopes.strip() and not any(c in scopes.strip() for c in " :"):
        return tuple(scope_catalog.PRESETS[scopes.strip()])  # a preset name
    if scopes is not None:
        wanted = scope_catalog.validate(scopes)
    elif creds.scopes:
        wanted = scope_catalog.validate(creds.scopes)
    elif embedded or creds.environment == "local":
        wanted = tuple(scope_catalog.PRESETS["analyst"])
    else:
        raise ConfigError(
            "no scopes requested: Paxos grants a token only the scopes asked for",
            hint="pass scopes=[...] (e.g. scopes='analyst' or px.scopes.PRESETS['analyst'], "
            "see px.scopes.PRESETS, or px.scopes.required([...]) for your operations), or set "
            "PAXOS_SCOPES in the .env",
        )
    if not wanted:
        raise ConfigError("the scope list is empty", hint="see px.scopes.PRESETS")
    return wanted


def _embedded(
    cleanup: ExitStack, seed: int, *, why: str, base: Credentials | None = None
) -> tuple[Any, Callable[[], None], Credentials]:
    """A lease on the embedded emulator (ended by ``cleanup``), and its demo credentials."""
    others = {s: e.api_url for s, e in embedded.running().items() if s != seed}
    emulator, release, started = embedded.lease(seed)
    cleanup.callback(release)
    demo = emulator.demo_client
    if demo is None:  # a seeded emulator always has one
        raise RuntimeError("the embedded emulator has no demo client")
    creds = Credentials(
        demo.client_id,
        demo.client_secret,
        "local",
        api_url=emulator.api_url,
        token_url=emulator.token_url,
        scopes=base.scopes if base is not None else None,
        signing_key_file=base.signing_key_file if base is not None else None,
        signing_kid=base.signing_kid if base is not None else None,
        sources={"PAXOS_CLIENT_ID": "embedded emulator demo client"},
    )
    if started:  # one line, on purpose: the user must know this is not Paxos
        also = "".join(f"; another (seed {s}) runs at {url}" for s, url in others.items())
        notices.note(
            f"paxos_nb: {why}; using the local Paxos emulator at {emulator.api_url} "
            f"(seed {seed}){also}"
        )
    return emulator, release, creds
