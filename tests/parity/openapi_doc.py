"""An OpenAPI 3.0 document built from the project's own catalog, for a Prism mock.

On a machine without ``../shared/paxos/spec`` (a clean CI runner) this is what Prism serves:
every operation of ``paxos_nb/catalog/operations.json`` with the parameter and response
schemas of ``schemas.json`` (their ``#/components/<Name>`` references moved under
``#/components/schemas/``), behind an OAuth2 client-credentials scheme with the operation's
scope. The catalog holds no examples, so Prism runs it in dynamic mode (random data that
fits the schemas).
"""

from __future__ import annotations

from typing import Any

from paxos_nb import catalog
from paxos_nb.catalog import schemas

SCHEME = "paxosOAuth2"


def _moved(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/components/", "#/components/schemas/", 1)
                if key == "$ref" and isinstance(value, str)
                else _moved(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_moved(item) for item in node]
    return node


def _parameters(op: catalog.Operation) -> list[dict[str, Any]]:
    spec = schemas.for_operation(op.operation_id)
    out: list[dict[str, Any]] = []
    for name, schema in spec.path.items():
        out.append({"name": name, "in": "path", "required": True, "schema": _moved(schema)})
    for name, schema in spec.query.items():
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in spec.required,
            "schema": _moved(schema),
        }
        if schema.get("type") == "array":
            param.update(style="form", explode=True)
        out.append(param)
    return out


def _operation(op: catalog.Operation) -> dict[str, Any]:
    spec = schemas.for_operation(op.operation_id)
    responses: dict[str, Any] = {}
    for status, schema in sorted(spec.responses.items()):
        media = "application/json" if status.startswith("2") else "application/problem+json"
        responses[status] = {
            "description": f"{status} answer",
            "content": {media: {"schema": _moved(schema)}},
        }
    if not any(s.startswith("2") for s in responses):
        responses["200"] = {
            "description": "empty answer",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
        "parameters": _parameters(op),
        "responses": responses,
        "security": [{SCHEME: [op.scope]}] if op.scope else [],
    }
    if spec.body is not None:
        out["requestBody"] = {
            "required": spec.body_required,
            "content": {"application/json": {"schema": _moved(spec.body)}},
        }
    return out


def document() -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of every catalog operation."""
    paths: dict[str, dict[str, Any]] = {}
    for op in catalog.operations():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    scopes = {s.scope: s.description or s.scope for s in catalog.scopes()}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Paxos v2 (from the paxos_nb catalog)", "version": "catalog"},
        "paths": paths,
        "components": {
            "schemas": _moved(schemas.components()),
            "securitySchemes": {
                SCHEME: {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://oauth.sandbox.paxos.com/oauth2/token",
                            "scopes": scopes,
                        }
                    },
                }
            },
        },
    }
