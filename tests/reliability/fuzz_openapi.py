"""An OpenAPI 3.0 document for the fuzzer, built in memory from the operations catalog.

The spec folder is not on CI machines, and the catalog is what the emulator serves: its
operations (``operations.json``: method, path) and their schemas (``schemas.json``:
parameters, bodies, responses, the spec's known bugs corrected). Schemas keep their content;
``$ref`` targets move from ``#/components/<Name>`` to OpenAPI's ``#/components/schemas/<Name>``
and objects with declared properties take no others, as request validation compiles them
(so a "valid" generated body never carries a made-up field, which the emulator would refuse
as a typo or discard). No security scheme is declared: the
fuzzer sends the demo client's token with every request, so generated cases reach request
validation and the handlers rather than the auth chain (tested on its own).
"""

from __future__ import annotations

from typing import Any

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.emulator.validation import request_components

_REF = "#/components/"


def _moved(node: Any) -> Any:
    """``node`` with every ``$ref`` pointing under ``#/components/schemas/``."""
    if isinstance(node, dict):
        out = {key: _moved(value) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            out["$ref"] = "#/components/schemas/" + ref[len(_REF) :]
        return out
    if isinstance(node, list):
        return [_moved(value) for value in node]
    return node


def _operation(op: catalog.Operation) -> dict[str, Any]:
    found = schemas.for_operation(op.operation_id)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _moved(schema)}
        for name, schema in found.path.items()
    ]
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": name in found.required,
            "style": "form",
            "explode": True,  # arrays repeat their key, as Paxos reads them
            "schema": _moved(schema),
        }
        for name, schema in found.query.items()
    ]
    responses = {
        status: {"description": status, "content": {"application/json": {"schema": _moved(s)}}}
        for status, s in found.responses.items()
    } or {"default": {"description": "any"}}
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "parameters": parameters,
        "responses": responses,
    }
    if found.body is not None:
        out["requestBody"] = {
            "required": found.body_required,
            "content": {"application/json": {"schema": _moved(found.body)}},
        }
    return out


def openapi_document() -> dict[str, Any]:
    """Every catalog operation, relative to the API root (``.../v2``)."""
    paths: dict[str, dict[str, Any]] = {}
    for op in catalog.operations():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Paxos v2 (paxos_nb catalog)", "version": "2"},
        "paths": paths,
        "components": {"schemas": _moved(request_components())},
    }
