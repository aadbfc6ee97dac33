"""Request and response schemas of every operation (generated ``schemas.json``).

Both sides read them: the emulator validates requests before any handler runs, the client
checks what it sends and what it receives, and tests generate inputs from them. Schemas are
OpenAPI 3.0 schema objects (a JSON Schema draft-4 dialect) whose ``$ref`` point at
``#/components/<Name>``; :func:`rooted` makes one self-contained for a validator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["OperationSchemas", "components", "for_operation", "resolve", "rooted"]


@dataclass(frozen=True)
class OperationSchemas:
    """The schemas of one operation's inputs and answers."""

    operation_id: str
    path: dict[str, Any]  # path parameter name -> schema
    query: dict[str, Any]  # query parameter name -> schema
    required: tuple[str, ...]  # required query parameters
    body: dict[str, Any] | None  # JSON request body schema
    body_required: bool
    responses: dict[str, Any]  # status ("200", "404", ...) -> body schema

    def response(self, status: int) -> dict[str, Any] | None:
        """The schema of the answer with ``status`` (None when the spec declares none)."""
        return self.responses.get(str(status))


@cache
def _document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schemas.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def components() -> dict[str, Any]:
    """Every named schema an operation reaches, by name."""
    result: dict[str, Any] = _document()["components"]
    return result


@cache
def for_operation(operation_id: str) -> OperationSchemas:
    """The schemas of ``operation_id`` (a KeyError names an unknown id)."""
    try:
        raw = _document()["operations"][operation_id]
    except KeyError:
        raise KeyError(f"no operation {operation_id!r} in the catalog") from None
    return OperationSchemas(
        operation_id=operation_id,
        path=raw["path"],
        query=raw["query"],
        required=tuple(raw["required"]),
        body=raw["body"],
        body_required=raw["body_required"],
        responses=raw["responses"],
    )


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` links until a schema with content (one level, not recursive)."""
    seen = 0
    while "$ref" in schema:
        schema = components()[schema["$ref"].rsplit("/", 1)[1]]
        seen += 1
        if seen > 50:
            raise ValueError("reference cycle in the catalog schemas")
    return schema


def rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the components beside it, so every ``$ref`` resolves in a validator.

    ``allOf`` wraps it because draft 4 ignores keywords next to a ``$ref``.
    """
    return {"components": components(), "allOf": [schema]}
