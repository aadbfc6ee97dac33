"""The .env policy: which file is read, and how it is parsed (never into ``os.environ``).

Where a function takes an ``env_file`` (:func:`paxos_nb.connect`,
:meth:`paxos_nb.Credentials.from_env`), the value means:

``True`` (the default)
    Look up the default .env (:func:`default_env_file`): the file ``PAXOS_NB_ENV_FILE``
    names (it must exist; ``none`` or empty turns .env files off), else the nearest
    ``.env`` from the working directory up to the project root (the first folder holding
    ``.git`` or ``pyproject.toml``). No file found is fine: nothing is read.
a path (str or path-like)
    Exactly that file, which must exist.
``None`` or ``False``
    No file: only explicit arguments and ``os.environ``.

The file is parsed by python-dotenv's parser (``dotenv.parser.parse_stream``), the one
``dotenv_values`` uses, whose bindings carry their line numbers: an unparsable line is a
:class:`~paxos_nb.errors.ConfigError` naming the line, never its content. Values are taken
literally (no ``${VAR}`` interpolation), so a ``$`` in a secret survives.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TypeAlias

from dotenv.parser import parse_stream

from .errors import ConfigError

__all__ = ["DEFAULT_NAME", "ENV_FILE_VARIABLE", "EnvFile", "default_env_file", "read_env_file"]

DEFAULT_NAME = ".env"
ENV_FILE_VARIABLE = "PAXOS_NB_ENV_FILE"

#: What an ``env_file`` argument may be (see the module docstring).
EnvFile: TypeAlias = "str | os.PathLike[str] | bool | None"


def default_env_file() -> tuple[str | None, bool]:
    """Where the default .env is: ``(path or None, explicit)``.

    ``PAXOS_NB_ENV_FILE`` names the file (then it must exist: ``explicit`` is True), or
    turns .env files off when set to ``none`` or empty (the notebook tests do this so they
    always use the emulator). Otherwise the first ``.env`` in the working directory or its
    parents, up to the project root, so notebooks in ``notebooks/`` find the ``.env`` at the
    repository root; ``".env"`` (absent, skipped) when there is none.
    """
    chosen = os.environ.get(ENV_FILE_VARIABLE)
    if chosen is not None:
        return (None, False) if chosen.strip().lower() in ("", "none") else (chosen, True)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_NAME).is_file():
            return str(folder / DEFAULT_NAME), False
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            break
    return DEFAULT_NAME, False


def resolve(env_file: EnvFile) -> tuple[str | None, bool]:
    """``(path or None, must_exist)`` for an ``env_file`` argument."""
    if env_file is True:
        return default_env_file()
    if env_file is None or env_file is False:
        return None, False
    if isinstance(env_file, (str, os.PathLike)):
        return os.fspath(env_file), True
    raise ConfigError(
        f"env_file must be a path, True or None, not {type(env_file).__name__}",
        hint="True looks up the default .env, a path reads that file, None reads no file",
    )


def exists(env_file: EnvFile) -> bool:
    """Whether reading ``env_file`` would involve a file (an explicit path counts even when
    it is missing: reading it then says so). Looks only; nothing is read."""
    path, must_exist = resolve(env_file)
    return must_exist or (path is not None and os.path.isfile(path))


def read_env_file(env_file: EnvFile = True) -> tuple[dict[str, str | None], str]:
    """Parse a .env without touching os.environ: ``(values, "label (/abs/path)")``.

    ``env_file`` follows the policy of the module docstring. A UTF-8 byte-order mark and
    CRLF line endings are accepted. A key without ``=`` has the value None.

    Raises
    ------
    ConfigError
        A file that must exist does not, is not UTF-8, cannot be read, has unparsable lines
        (named by number) or a ``PAXOS_*`` variable that is not upper case.
    """
    path, must_exist = resolve(env_file)
    if path is None:
        return {}, ""
    file = Path(path).expanduser()
    where = file.resolve()
    if not file.is_file():
        if must_exist:
            what = "is a directory" if file.is_dir() else "does not exist"
            raise ConfigError(
                f"the .env file {where} {what}",
                hint="check the path, or copy .env.example to .env and fill it in",
            )
        return {}, ""
    try:
        text = file.read_text(encoding="utf-8-sig")  # utf-8-sig drops a BOM; newlines universal
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{where} is not UTF-8 text (byte {exc.start})", hint="save the .env as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {where}: {exc.strerror}") from None

    values: dict[str, str | None] = {}
    bad: list[int] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            bad.append(binding.original.line)
        elif binding.key is not None:
            values[binding.key] = binding.value
    if bad:
        raise ConfigError(
            f"{where}: cannot parse line {', '.join(map(str, bad))}",
            hint="each line must be KEY=value (quotes optional, closed on the same line); "
            "comments start with #; `KEY: value` is not .env syntax",
        )
    for key in values:
        if key.lower().startswith("paxos_") and key != key.upper():
            raise ConfigError(
                f"{where}: variable {key!r} is not upper case", hint=f"rename it {key.upper()}"
            )
    return values, f".env ({where})"
