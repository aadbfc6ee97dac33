"""Validate emulator answers against the response schemas of the operations catalog.

The catalog (``paxos_nb.catalog.schemas``) carries every operation's response schemas,
generated from Paxos's OpenAPI documents, so these checks run on any machine, the spec folder
or not. They are OpenAPI 3.0 schema objects, a JSON Schema draft-4 dialect (plus keywords such
as ``nullable`` that a draft-4 validator ignores), so ``jsonschema``'s ``Draft4Validator``
checks them, with ``FormatChecker`` for ``date-time``. The spec's known bugs are corrected in
the generator (``paxos_nb/catalog/build_schemas.py``, one commented fix each): the
``ListProfileBalancesResponse`` ``balances`` key, ``BeneficiaryPerson``'s camelCase names, and
the ticker and order-book ``market`` enums narrower than their path's. Nothing is skipped
wholesale. Timestamps are also checked to be RFC 3339 in UTC with ``Z``, as Paxos sends them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

from paxos_nb.catalog import schemas

RFC3339_Z = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z\Z")
PROBLEM = {"$ref": "#/components/Problem"}


class CatalogValidator:
    """``validate(operation_id, status, body)`` -> list of error messages (empty: valid)."""

    def __init__(self) -> None:
        self.format_checker = FormatChecker()

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        found = schemas.for_operation(operation_id)
        schema = found.response(status) or found.responses.get("default")
        if schema is None and status >= 400:
            # Undeclared error statuses (401, most 400s) still carry Paxos's Problem body.
            return PROBLEM
        return schema

    @cache  # noqa: B019 - one validator per answer kind, for the life of the session
    def _validator(self, operation_id: str, status: int) -> Draft4Validator | None:
        schema = self.response_schema(operation_id, status)
        if schema is None:
            return None
        return Draft4Validator(schemas.rooted(schema), format_checker=self.format_checker)

    def validate(
        self, operation_id: str, status: int, body: Any, market: str | None = None
    ) -> list[str]:
        """Errors of ``body`` as the ``status`` answer of ``operation_id``.

        ``market`` (the market of a market-data path) needs no special case any more: the
        catalog widens the ticker's and order book's ``market`` to their path's enum.
        """
        validator = self._validator(operation_id, status)
        if validator is None:
            return [f"{operation_id} declares no {status} response"]
        errors = [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(body)
        ]
        errors += [
            f"{where}: {value!r} is not RFC 3339 UTC with Z" for where, value in _timestamps(body)
        ]
        return errors


_TS_KEYS = re.compile(r"(_at|_date|timestamp|begin|end)\Z")


def _timestamps(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Every timestamp-looking string field that is not RFC 3339 in UTC with ``Z``."""
    bad = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}/{key}"
            if (
                isinstance(item, str)
                and _TS_KEYS.search(key)
                and item
                and not RFC3339_Z.match(item)
            ):
                bad.append((path, item))
            else:
                bad += _timestamps(item, path)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            bad += _timestamps(item, f"{where}/{n}")
    return bad
