"""Read ``--clients FILE.json``: API credentials shaped like the spec's ``FirstPartyClient``
plus ``client_secret``.

The file holds a JSON list of objects, or ``{"items": [...]}`` (what
``GET /v2/api-creds/credentials`` returns, with secrets added). Field names follow
``FirstPartyClient`` (``client_scopes``, ``ip_allowlist``, ``client_public_keys``); the
aliases ``scopes``/``allowed_scopes``, ``allowed_ips`` and ``public_keys`` are accepted too.
Errors name the file, the entry index and the field, never a secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .registry import ApiClient, ClientSpecError, build_client

__all__ = ["ClientsFileError", "read_clients_file"]

_ALIASES = {
    "client_scopes": "scopes",
    "scopes": "scopes",
    "allowed_scopes": "scopes",
    "ip_allowlist": "ip_allowlist",
    "allowed_ips": "ip_allowlist",
    "client_public_keys": "public_keys",
    "public_keys": "public_keys",
}
_DIRECT = {
    "client_id",
    "client_secret",
    "nickname",
    "enforce_request_signing",
    "status",
    "id",
    "customer_id",
    "created_by",
    "first_party",  # emulator-only: a 1P integration (identity_id is refused)
}
_IGNORED = {"created_at", "updated_at"}  # the emulator stamps its own


class ClientsFileError(ValueError):
    """The clients file cannot be used; the message says where and why."""


def _entry_kwargs(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ClientsFileError(f"{where}: expected an object, got {type(entry).__name__}")
    kwargs: dict[str, Any] = {}
    for key, value in entry.items():
        if key in _IGNORED:
            continue
        if key in _ALIASES:
            target = _ALIASES[key]
            if target in kwargs:
                raise ClientsFileError(f"{where}: field {key!r} repeats another name for {target}")
            kwargs[target] = value
        elif key in _DIRECT:
            kwargs[key] = value
        else:
            known = sorted(_DIRECT | set(_ALIASES) | _IGNORED)
            raise ClientsFileError(f"{where}: unknown field {key!r}; known fields: {known}")
    for required in ("client_id", "client_secret"):
        if not kwargs.get(required):
            raise ClientsFileError(f"{where}: field {required!r} is required")
    return kwargs


def read_clients_file(path: str | Path, reserved: tuple[str, ...] = ()) -> list[ApiClient]:
    """Validated clients from ``path``; raises :class:`ClientsFileError`.

    Parameters
    ----------
    path : str or Path
        The JSON file.
    reserved : tuple of str
        client_ids already taken (the demo client).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClientsFileError(f"clients file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientsFileError(f"cannot read clients file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # position only: the text may hold secrets
        raise ClientsFileError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise ClientsFileError(
            f'{path}: expected a JSON list of FirstPartyClient objects (or {{"items": [...]}})'
        )
    clients: list[ApiClient] = []
    seen = set(reserved)
    for i, entry in enumerate(data):
        where = f"{path}: entry {i}"
        kwargs = _entry_kwargs(entry, where)
        if isinstance(kwargs["client_id"], str):
            where += f" (client_id {kwargs['client_id']!r})"
        try:
            client = build_client(**kwargs)
        except ClientSpecError as exc:
            field = exc.field
            for key in entry:  # name the field as the file spells it
                target = _ALIASES.get(key)
                if target and field.startswith(target):
                    field = key + field[len(target) :]
            raise ClientsFileError(f"{where}, field {field!r}: {exc.message}") from None
        except TypeError as exc:
            raise ClientsFileError(f"{where}: {exc}") from None
        if client.client_id in seen:
            raise ClientsFileError(f"{where}: client_id is already used")
        seen.add(client.client_id)
        clients.append(client)
    return clients
