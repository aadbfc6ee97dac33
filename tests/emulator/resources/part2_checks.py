"""Checks shared by the issue-13 part-2 families: answers against the catalog's response
schemas, generated inputs that must never give a 5xx, and ``session.frame`` over a list.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from resources_harness import Direct
from resources_schema import CatalogValidator
from schema_strategies import values

from paxos_nb import catalog
from paxos_nb.catalog import schemas

_VALIDATOR = CatalogValidator()


def schema_errors(operation_id: str, body: Any, status: int = 200) -> list[str]:
    """Every way ``body`` breaks the catalog's response schema of ``operation_id``."""
    return _VALIDATOR.validate(operation_id, status, body)


def assert_valid(operation_id: str, body: Any) -> None:
    errors = schema_errors(operation_id, body)
    assert not errors, f"{operation_id} answer breaks its schema: {errors[:5]}"


def _strategy(operation_id: str, path_values: dict[str, st.SearchStrategy[str]]):
    op = schemas.for_operation(operation_id)
    query_schema = {"type": "object", "properties": op.query, "required": list(op.required)}
    paths = {name: path_values.get(name, st.text(min_size=1, max_size=40)) for name in op.path}
    return st.fixed_dictionaries(
        {
            "path": st.fixed_dictionaries(paths),
            "query": values(query_schema),
            "body": values(op.body) if op.body else st.none(),
        }
    )


def _target(operation_id: str, path: dict[str, str], query: dict[str, Any]) -> str:
    op = catalog.by_id(operation_id)
    text = re.sub(r"\{([^}]+)\}", lambda m: quote(path[m.group(1)], safe=""), op.path)
    pairs = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    flat = {k: [_text(x) for x in v] for k, v in pairs.items()}
    return "/v2" + text + ("?" + urlencode(flat, doseq=True) if flat else "")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def no_server_errors(
    direct: Direct,
    operation_id: str,
    *,
    path_values: dict[str, st.SearchStrategy[str]] | None = None,
    examples: int = 60,
) -> None:
    """Call ``operation_id`` with inputs generated from its catalog schemas: never a 5xx
    (``direct`` raises anything that is not a Problem), and every 200 valid."""
    op = catalog.by_id(operation_id)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(_strategy(operation_id, path_values or {}))
    def run(case: dict[str, Any]) -> None:
        target = _target(operation_id, case["path"], case["query"])
        status, body = direct(op.method, target, case["body"])
        assert status < 500, (target, case["body"], body)
        if status == 200:
            assert_valid(operation_id, body)

    run()
