"""Validate emulator answers against the response schemas of the Paxos v2 OpenAPI document.

OpenAPI 3.0 schema objects are a JSON Schema draft-4 dialect (plus keywords such as
``nullable`` and ``example`` that a draft-4 validator ignores), so ``jsonschema``'s
``Draft4Validator`` checks them, with ``FormatChecker`` for ``date-time``. Known bugs of the
spec (API-BRIEF.md section 14) get explicit, commented allowances in :data:`ALLOWANCES`;
nothing is skipped wholesale.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker

RFC3339_Z = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z\Z")


class _NoDates(yaml.SafeLoader):
    """Keep the spec's example timestamps as strings (a JSON document has no datetimes)."""


_NoDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _drop_required(schemas: dict[str, Any], name: str, field: str) -> None:
    schemas[name]["required"] = [f for f in schemas[name].get("required", []) if f != field]


def _widen_market(schemas: dict[str, Any], name: str, markets: list[str]) -> None:
    schemas[name]["properties"]["market"] = {"type": "string", "enum": markets}


class SpecValidator:
    """``validate(operation_id, status, body)`` -> list of error messages (empty: valid)."""

    def __init__(self, spec_file: Path) -> None:
        with spec_file.open(encoding="utf-8") as fh:
            self.spec = yaml.load(fh, Loader=_NoDates)  # noqa: S506 - a SafeLoader subclass
        self.ops: dict[str, dict[str, Any]] = {}
        self.path_markets: dict[str, list[str]] = {}
        for _path, item in self.spec["paths"].items():
            for _method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.ops[op["operationId"]] = op
                    for param in op.get("parameters", []):
                        if param.get("name") == "market" and param.get("in") == "path":
                            self.path_markets[op["operationId"]] = param["schema"]["enum"]
        self.components = self.spec["components"]
        self._patched = self._allowances()
        self.format_checker = FormatChecker()

    def _allowances(self) -> dict[str, Any]:
        """The spec's schemas with each known bug corrected (one comment per allowance)."""
        schemas = copy.deepcopy(self.components["schemas"])
        # 1. ListProfileBalancesResponse requires `balances` but only defines `items`, which
        #    is what Paxos returns (brief section 14.6).
        _drop_required(schemas, "ListProfileBalancesResponse", "balances")
        # 2. BeneficiaryPerson requires camelCase names it does not define (request only, but
        #    corrected so no schema of the document is wrong here).
        schemas["BeneficiaryPerson"]["required"] = ["first_name", "last_name"]
        return schemas

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        responses = self.ops[operation_id]["responses"]
        answer = responses.get(str(status)) or responses.get("default")
        if answer is None:
            # Undeclared error statuses (401, most 400s) still carry Paxos's Problem body.
            return {"$ref": "#/components/schemas/Problem"} if status >= 400 else None
        content = answer.get("content") or {}
        media = content.get("application/json") or content.get("application/problem+json")
        return (media or {}).get("schema")

    def validate(
        self, operation_id: str, status: int, body: Any, market: str | None = None
    ) -> list[str]:
        schema = self.response_schema(operation_id, status)
        if schema is None:
            return [f"{operation_id} declares no {status} response"]
        schemas = self._patched
        if market and operation_id in ("GetTicker", "GetOrderBook"):
            # 3. TickerRecord.market is PricePriceMarket (10 values) and
            #    GetOrderBookResponse.market is Market (14), while their path parameter takes 36
            #    markets: the answer for ETHBRL names ETHBRL. Widen to the path's enum.
            schemas = copy.deepcopy(schemas)
            name = "TickerRecord" if operation_id == "GetTicker" else "GetOrderBookResponse"
            _widen_market(schemas, name, self.path_markets[operation_id])
        root = {"components": {**self.components, "schemas": schemas}, "allOf": [schema]}
        validator = Draft4Validator(root, format_checker=self.format_checker)
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
