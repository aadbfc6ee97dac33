"""Credentials: one documented chain, explicit arguments > .env > os.environ.

:func:`Credentials.from_env` reads a ``.env`` (the policy, and the parser, are in
:mod:`paxos_nb.envfile`; ``os.environ`` is never touched) and records where every value came
from in ``creds.sources``, never the value itself. Every problem is a
:class:`~paxos_nb.errors.ConfigError` that names the variable (or the line number) and says
where to fix it. The environments and their URLs are in :mod:`paxos_nb.environments`.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from . import redact
from .envfile import ENV_FILE_VARIABLE, EnvFile, default_env_file, read_env_file
from .environments import (
    ENVIRONMENTS,
    Environment,
    check_url,
    closest_hint,
    environment_of_url,
    is_loopback_url,
    origin_of,
)
from .errors import ConfigError
from .notices import PaxosWarning

__all__ = [
    "ENVIRONMENTS",
    "KNOWN_VARIABLES",
    "VARIABLES",
    "Credentials",
    "EnvFile",
    "Environment",
    "default_env_file",
    "environment_of_url",
    "is_loopback_url",
    "read_env_file",
    "stray_variables",
]

logger = logging.getLogger(__name__)

# argument name -> environment variable
VARIABLES: dict[str, str] = {
    "client_id": "PAXOS_CLIENT_ID",
    "client_secret": "PAXOS_CLIENT_SECRET",
    "environment": "PAXOS_ENV",
    "scopes": "PAXOS_SCOPES",
    "api_url": "PAXOS_API_URL",
    "token_url": "PAXOS_TOKEN_URL",
    "signing_key_file": "PAXOS_SIGNING_KEY_FILE",
    "signing_kid": "PAXOS_SIGNING_KID",
}
#: Every ``PAXOS_*`` variable paxos_nb reads.
KNOWN_VARIABLES = frozenset({*VARIABLES.values(), ENV_FILE_VARIABLE})


def stray_variables(names: Iterable[str]) -> dict[str, str | None]:
    """The ``PAXOS_*`` names paxos_nb does not read, each with the known variable it is
    closest to (a typo such as ``PAXOS_CLIENT_SECRT``), or None."""
    strays: dict[str, str | None] = {}
    for name in names:
        if name.upper().startswith("PAXOS_") and name not in KNOWN_VARIABLES:
            near = difflib.get_close_matches(name.upper(), sorted(KNOWN_VARIABLES), n=1, cutoff=0.6)
            strays[name] = near[0] if near else None
    return strays


def _check_value(name: str, value: str, source: str) -> None:
    """Reject values that are almost certainly pasted wrong; name the variable, never the value."""
    where = f" in {source}" if source else ""
    if value != value.strip():
        raise ConfigError(
            f"{name} has leading or trailing whitespace{where}",
            hint=f"remove the spaces, tabs or newlines around the value of {name}",
        )
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        raise ConfigError(
            f"{name} is wrapped in quotes that became part of the value{where}",
            hint=f'write {name}=value or {name}="value" (one pair of quotes at most)',
        )


class Credentials:
    """A Paxos API credential and where to use it.

    Parameters
    ----------
    client_id, client_secret : str, optional
        From the Paxos Dashboard (Admin › API). Both may be omitted for ``local``, where the
        embedded emulator's demo client is used.
    environment : {"sandbox", "production", "local"}, optional
        Defaults to the environment of ``api_url``/``token_url`` when given, else ``"sandbox"``.
    api_url, token_url : str, optional
        Overrides; must be https (plain http only for loopback) and from one environment.
    scopes : str or sequence of str, optional
        Scopes to request (a space-separated string or a list).
    signing_key_file, signing_kid : str, optional
        Private key (PEM) and its Dashboard key id for request signing; both or neither.

    Notes
    -----
    ``repr`` and ``str`` mask the client id and never show the secret.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        environment: str | None = None,
        *,
        api_url: str | None = None,
        token_url: str | None = None,
        scopes: str | Iterable[str] | None = None,
        signing_key_file: str | os.PathLike[str] | None = None,
        signing_kid: str | None = None,
        sources: Mapping[str, str] | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        srcs = dict(sources or {})
        redact.register(client_secret)  # before anything can log or raise

        def src(arg: str) -> str:
            found = srcs.get(VARIABLES[arg], "")
            return "" if found == "argument" else found

        def label(arg: str) -> str:  # the name the user typed: variable or argument
            return VARIABLES[arg] if src(arg) else arg

        for arg, value in (
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("signing_kid", signing_kid),
        ):
            if value is not None:
                if not isinstance(value, str):
                    raise ConfigError(f"{arg} must be a string, not {type(value).__name__}")
                _check_value(label(arg), value, src(arg))

        env_name = self._resolve_environment(environment, api_url, token_url, src)
        env = ENVIRONMENTS[env_name]
        if api_url:
            api_url = check_url(label("api_url"), api_url, src("api_url"))
        if token_url:
            token_url = check_url(label("token_url"), token_url, src("token_url"))
        if env_name == "local":
            # The emulator serves both on one origin; derive whichever is missing.
            if api_url and not token_url:
                token_url = origin_of(api_url) + "/oauth2/token"
            elif token_url and not api_url:
                api_url = origin_of(token_url) + "/v2"
        api_url = api_url or env.api_url
        token_url = token_url or env.token_url
        self._check_same_environment(env_name, api_url, token_url, src)

        if (client_id is None) != (client_secret is None) or (
            env_name != "local" and client_id is None
        ):
            missing = "client_secret" if client_id is not None else "client_id"
            raise ConfigError(
                f"{VARIABLES[missing]} is missing for the {env_name} environment",
                hint=f"put {VARIABLES[missing]}=... in your .env (next to the notebook) or "
                f"pass {missing}=... to Credentials; both come from the Paxos Dashboard "
                "(Admin › API › API Credentials)",
            )
        if (signing_key_file is None) != (signing_kid is None):
            have, lack = (
                ("PAXOS_SIGNING_KEY_FILE", "PAXOS_SIGNING_KID")
                if signing_key_file is not None
                else ("PAXOS_SIGNING_KID", "PAXOS_SIGNING_KEY_FILE")
            )
            raise ConfigError(
                f"{have} is set but {lack} is not: request signing needs both",
                hint="set both (the private key file and the key id the Dashboard shows for "
                "its public key) or neither",
            )

        self.client_id = client_id
        self._client_secret = client_secret
        self.environment = env_name
        self.api_url = api_url
        self.token_url = token_url
        self.scopes = _scope_tuple(scopes)
        self.signing_key_file = os.fspath(signing_key_file) if signing_key_file else None
        self.signing_kid = signing_kid
        self.sources = srcs
        self.notes = tuple(notes)

    # -- resolution -------------------------------------------------------------------------

    @staticmethod
    def _resolve_environment(
        environment: str | None,
        api_url: str | None,
        token_url: str | None,
        src: Callable[[str], str],
    ) -> str:
        if environment is not None:
            name = str(environment).strip().lower()
            if name not in ENVIRONMENTS:
                where = f" (from {src('environment')})" if src("environment") else ""
                raise ConfigError(
                    f"unknown PAXOS_ENV {environment!r}{where}",
                    hint=closest_hint(name, ENVIRONMENTS)
                    + "use one of: "
                    + ", ".join(ENVIRONMENTS),
                )
            return name
        for url in (api_url, token_url):
            found = environment_of_url(url) if url else None
            if found:
                return found
        return "sandbox"

    @staticmethod
    def _check_same_environment(
        env_name: str, api_url: str | None, token_url: str | None, src: Callable[[str], str]
    ) -> None:
        for label, url in (("api", api_url), ("token", token_url)):
            found = environment_of_url(url) if url else None
            if found and found != env_name:
                var = "PAXOS_API_URL" if label == "api" else "PAXOS_TOKEN_URL"
                # Name where each came from: a URL left in the shell next to a .env's
                # PAXOS_ENV is the usual cause, and the values alone do not show it.
                origins = [f"{var} from {src(label + '_url')}"] if src(label + "_url") else []
                if src("environment"):
                    origins.append(f"PAXOS_ENV from {src('environment')}")
                stale = "os.environ" in (src(label + "_url") or "").split(";")[0]
                raise ConfigError(
                    f"{var} belongs to {found} but the environment is {env_name}"
                    + (f" ({'; '.join(origins)})" if origins else ""),
                    hint="sandbox and production are separate (credentials, data, URLs): "
                    "set PAXOS_ENV to match, or remove the URL override"
                    + (f" (a stale shell variable? `unset {var}`)" if stale else ""),
                )

    # -- .env chain -------------------------------------------------------------------------

    @classmethod
    def from_env(cls, path: EnvFile = True, **explicit: Any) -> Credentials:
        """Credentials from explicit arguments, then a ``.env`` file, then ``os.environ``.

        Parameters
        ----------
        path : str, path-like, True or None, default True
            The .env file (the policy of :mod:`paxos_nb.envfile`). True: look up the
            default .env (``PAXOS_NB_ENV_FILE``, else the nearest ``.env`` from the working
            directory up to the project root), skipped when there is none. A path: that
            file, which must exist. None: read no file.
        **explicit
            Any :class:`Credentials` argument; wins over the file and the environment.

        Returns
        -------
        Credentials
            With ``sources`` mapping each variable to where it came from.

        Raises
        ------
        ConfigError
            A missing file given explicitly, an unparsable line (by number), a missing,
            empty, padded or quoted value, an unknown environment, an unsafe URL.
        """
        unknown = set(explicit) - set(VARIABLES)
        if unknown:
            raise TypeError(f"from_env() got unexpected arguments: {', '.join(sorted(unknown))}")
        file_values, file_label = read_env_file(path)
        _check_strays(file_values, file_label, explicit)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        notes: list[str] = []
        for arg, var in VARIABLES.items():
            shell = os.environ.get(var)
            if explicit.get(arg) is not None:
                values[arg], sources[var] = explicit[arg], "argument"
            elif var in file_values:
                value = file_values[var]
                if value is None or value == "":
                    raise ConfigError(
                        f"{var} is empty in {file_label}",
                        hint=f"write {var}=<value> on its own line in {file_label}",
                    )
                values[arg], sources[var] = value, file_label
                if shell is not None and shell != value:
                    sources[var] += "; os.environ also sets it (ignored)"
                    notes.append(f"{var}: a different value in os.environ is ignored")
            elif shell is not None:
                if shell == "":
                    raise ConfigError(
                        f"{var} is set but empty in os.environ",
                        hint=f"unset it (`unset {var}`) or give it a value in the .env",
                    )
                values[arg], sources[var] = shell, "os.environ"
        # A secret from the shell next to an id from the file is the classic stale variable.
        id_src, secret_src = sources.get("PAXOS_CLIENT_ID"), sources.get("PAXOS_CLIENT_SECRET")
        if id_src and secret_src and id_src.split(";")[0] != secret_src.split(";")[0]:
            notes.append(
                f"PAXOS_CLIENT_ID comes from {id_src.split(';')[0]} but PAXOS_CLIENT_SECRET "
                f"from {secret_src.split(';')[0]}: a stale shell variable?"
            )
        redact.register(values.get("client_secret"))
        if "client_id" not in values and (values.get("environment") or "").strip() != "local":
            searched = f"{file_label} and os.environ" if file_label else "os.environ (no .env)"
            raise ConfigError(
                f"PAXOS_CLIENT_ID is not set (looked in {searched})",
                hint="put PAXOS_CLIENT_ID=... and PAXOS_CLIENT_SECRET=... in a .env at the "
                "project root (see .env.example); they come from the Paxos Dashboard",
            )
        for note in notes:
            logger.info("paxos_nb config: %s", note)
        return cls(**values, sources=sources, notes=notes)

    # -- display ----------------------------------------------------------------------------

    @property
    def client_secret(self) -> str | None:
        """The secret; kept out of repr, str and every message."""
        return self._client_secret

    @property
    def api_host(self) -> str:
        return urlsplit(self.api_url or "").netloc or "(embedded emulator)"

    def __repr__(self) -> str:
        secret = "[set]" if self._client_secret else "(none)"
        parts = [
            f"environment={self.environment!r}",
            f"client_id={redact.mask(self.client_id)!r}",
            f"client_secret={secret}",
            f"api_url={self.api_url!r}",
        ]
        if self.scopes:
            parts.append(f"scopes={list(self.scopes)!r}")
        if self.signing_kid:
            parts.append(f"signing_kid={self.signing_kid!r}")
        return f"Credentials({', '.join(parts)})"

    __str__ = __repr__


def _check_strays(file_values: Mapping[str, Any], file_label: str, explicit: Mapping) -> None:
    """A ``PAXOS_*`` name paxos_nb does not read is a typo or a leftover: in the .env it is
    an error when the variable it resembles is missing (``PAXOS_SCOPE`` would otherwise
    fall back to the default scopes), else a warning; from the shell (other tools may use
    the prefix) only a near miss is worth a warning."""
    found = [(name, meant, file_label) for name, meant in stray_variables(file_values).items()]
    found += [
        (name, meant, "os.environ")
        for name, meant in stray_variables(os.environ).items()
        if meant is not None
    ]
    given = {var for arg, var in VARIABLES.items() if explicit.get(arg) is not None}
    for name, meant, where in found:
        present = meant in given or meant in file_values or os.environ.get(meant or "")
        guess = f"; did you mean {meant}?" if meant else ""
        if where == file_label and meant is not None and not present:
            raise ConfigError(
                f"{name} in {where} is not a paxos_nb variable{guess}",
                hint=f"rename it {meant} (paxos-nb doctor checks a .env for such typos)",
            )
        warnings.warn(
            PaxosWarning(f"{name} (from {where}) is not a paxos_nb variable and is ignored{guess}"),
            stacklevel=4,
        )


def _scope_tuple(scopes: str | Iterable[str] | None) -> tuple[str, ...]:
    """Scope names from a string (spaces or commas between them) or a list."""
    if scopes is None:
        return ()
    items = [scopes] if isinstance(scopes, str) else [str(s) for s in scopes]
    return tuple(part for item in items for part in re.split(r"[\s,]+", item) if part)
