"""Generate the operations catalog from the Paxos OpenAPI documents.

Run from the repository root (needs PyYAML, part of the ``dev`` extra)::

    python -m paxos_nb.catalog.build ../shared/paxos/spec

It writes ``operations.json``, ``scopes.json`` and ``schemas.json`` (request and response
schemas, see :mod:`paxos_nb.catalog.build_schemas`) next to this file. The output is
committed; ``tests/test_catalog.py`` regenerates it in memory and compares whenever
the spec folder exists, so the data cannot drift from the spec silently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .build_schemas import CANDLE_MARKETS, INCREMENTS

HERE = Path(__file__).resolve().parent
MAIN_SPEC = "paxos-v2.openapi.yaml"
PREVIEW_SPECS = (
    "paxos-v2-preview-identity-controls.openapi.json",
    "paxos-v2-preview-orchestration.openapi.json",
    "paxos-v2-preview-rewards.openapi.json",
)
METHODS = ("get", "post", "put", "delete", "patch")

# Facts from API-BRIEF.md that no spec carries.
# Envelope keys that changed after the spec was generated (brief sections 8 and 13):
# the orchestration lists gained `items` in 2026-02; pricing examples use `prices`.
ENVELOPE_OVERRIDES = {
    "ListOrchestrations": ["items", "orchestrations"],
    "ListOrchestrationRules": ["items", "rules"],
    "ListPrices": ["items", "prices"],
    "ListHistoricalPrices": ["items", "prices"],
    "GetOrderBook": ["bids", "asks"],
}
# The order book carries two record lists; a frame wants both, tagged by side.
ENVELOPE_ALL = {"GetOrderBook"}
# A scope that only the docs name (the SOR WebSocket), so the catalog knows all 60.
DOCS_ONLY_SCOPES = {
    "exchange:read_aggregated_marketdata_stream": (
        "Subscribe to the aggregated (SOR) market data WebSocket stream"
    ),
}
# Operations newer than the spec copy, documented only on docs.paxos.com pages (API-BRIEF-2
# sections 13 and 19): added with source "docs" so they are routed, scoped and checked like
# the others. Their schemas are in build_schemas.DOCS_ONLY_SCHEMAS.
DOCS_ONLY_OPERATIONS = [
    {
        # docs.paxos.com/api-reference/endpoints/issuer-quotes (settlement availability);
        # the page names no operation id [unverified]
        "operation_id": "GetIssuerQuoteSettlementAvailability",
        "method": "GET",
        "path": "/issuer-quote/settlement-availability",
        "tag": "Issuer Quotes",
        "summary": "Get PAXG settlement availability",
        "scope": "exchange:write_issuer_quote",
        "pagination": None,
        "envelope": [],
        "envelope_all": False,
        "sandbox_only": False,
        "source": "docs",
        "params": [
            {
                "name": "market",
                "in": "query",
                "required": False,
                "type": "string",
                "enum": ["PAXGUSD"],
                "description": "The issuer market (PAXGUSD, the default).",
            }
        ],
        "body": None,
    },
    {
        # docs.paxos.com/api-reference/endpoints/pricing/list-historical-candles; the
        # operation id is the page's slug [unverified], increment takes the Increment enum
        "operation_id": "ListHistoricalCandles",
        "method": "GET",
        "path": "/markets/{market}/historical-candles",
        "tag": "Pricing",
        "summary": "List Historical Candles",
        "scope": "exchange:historical_prices",
        "pagination": "cursor-range",
        "envelope": ["items"],
        "envelope_all": False,
        "sandbox_only": False,
        "source": "docs",
        "params": [
            {
                "name": "market",
                "in": "path",
                "required": True,
                "type": "string",
                "enum": CANDLE_MARKETS,
            },
            {
                "name": "increment",
                "in": "query",
                "required": False,
                "type": "string",
                "enum": INCREMENTS,
                "description": "The candle size (or give max_data_points).",
            },
            {
                "name": "max_data_points",
                "in": "query",
                "required": False,
                "type": "integer",
                "format": "int64",
                "description": "The most candles wanted: picks the finest increment that fits.",
            },
            {
                "name": "range.begin",
                "in": "query",
                "required": False,
                "type": "string",
                "format": "date-time",
                "description": "Start (inclusive; default six months earlier).",
            },
            {
                "name": "range.end",
                "in": "query",
                "required": False,
                "type": "string",
                "format": "date-time",
                "description": "End (inclusive; default now).",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "type": "integer",
                "format": "int32",
                "description": "Candles per page (default 100, max 1000).",
            },
            {
                "name": "page_cursor",
                "in": "query",
                "required": False,
                "type": "string",
                "description": "Cursor token for fetching the next page.",
            },
        ],
        "body": None,
    },
]
# Scheme descriptions with an obvious typo, corrected for display.
DESCRIPTION_FIXES = {"marketnaverage": "market average"}


def _load(spec_dir: Path) -> tuple[dict, list[tuple[str, dict]]]:
    import yaml  # dev dependency: only the generator and its test read YAML

    from .build_schemas import add_documented_facts

    main = yaml.safe_load((spec_dir / MAIN_SPEC).read_text(encoding="utf-8"))
    add_documented_facts(main)  # what the docs added after the spec was published
    previews = [
        (name, json.loads((spec_dir / name).read_text(encoding="utf-8"))) for name in PREVIEW_SPECS
    ]
    return main, previews


def _resolver(spec: dict):
    def resolve(node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return {}
            target = spec
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
            seen += 1
            if seen > 20:
                raise ValueError(f"reference cycle at {ref}")
        return node

    return resolve


def _first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    for stop in (". ", ".\n"):
        if stop in text:
            return text.split(stop, 1)[0] + "."
    return text


def _param(resolve, raw: dict) -> dict:
    p = resolve(raw)
    schema = resolve(p.get("schema", {}))
    out = {
        "name": p["name"],
        "in": p["in"],
        "required": bool(p.get("required", False)),
        "type": schema.get("type", "string"),
    }
    if schema.get("type") == "array":
        items = resolve(schema.get("items", {}))
        out["items"] = items.get("type", "string")
        if items.get("enum"):
            out["enum"] = list(items["enum"])
    elif schema.get("enum"):
        out["enum"] = list(schema["enum"])
    if schema.get("format"):
        out["format"] = schema["format"]
    desc = _first_sentence(p.get("description"))
    if desc:
        out["description"] = desc
    return out


def _pagination(op_id: str, names: set[str]) -> str | None:
    """Name the pagination family of API-BRIEF.md section 8 from the parameters."""
    if "pagination.offset" in names:
        return "offset"
    if "page_cursor" in names:
        if any(n.endswith((".gt", ".gte", ".lt", ".lte", ".eq")) for n in names):
            return "cursor-time-filters"
        if any(n.endswith((".begin", ".end")) for n in names):
            return "cursor-range"
        return "cursor"
    if "created_at.gt" in names and "limit" in names:
        return "time-window"
    return None


def _envelope(op_id: str, resolve, response_schema: dict) -> list[str]:
    if op_id in ENVELOPE_OVERRIDES:
        return list(ENVELOPE_OVERRIDES[op_id])
    if not op_id.startswith("List"):
        return []  # single resources may nest arrays (Account.members); they are not lists
    schema = resolve(response_schema)
    arrays = [
        key
        for key, prop in (schema.get("properties") or {}).items()
        if resolve(prop).get("type") == "array"
        and resolve(resolve(prop).get("items", {})).get("type", "object") == "object"
    ]
    return arrays[:1] if len(arrays) == 1 else []


def _body(resolve, op: dict) -> dict | None:
    rb = resolve(op.get("requestBody", {}))
    if not rb:
        return None
    content: dict[str, dict] = rb.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    schema = resolve(media.get("schema", {}))
    return {
        "required": list(schema.get("required", [])),
        "properties": sorted((schema.get("properties") or {}).keys()),
    }


def _operations(spec: dict, source: str) -> list[dict]:
    resolve = _resolver(spec)
    ops = []
    for raw_path, item in spec.get("paths", {}).items():
        path = raw_path[3:] if raw_path.startswith("/v2/") else raw_path
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            op_id = op["operationId"]
            security = op.get("security", spec.get("security"))
            scopes = [s for req in (security or []) for s in next(iter(req.values()), [])]
            params = [_param(resolve, p) for p in [*shared, *op.get("parameters", [])]]
            names = {p["name"] for p in params}
            ok = op.get("responses", {}).get("200", {})
            media: dict[str, dict] = resolve(ok).get("content", {})
            first: dict = next(iter(media.values()), {})
            response_schema = first.get("schema", {})
            tags = op.get("tags") or ["Other"]
            ops.append(
                {
                    "operation_id": op_id,
                    "method": method.upper(),
                    "path": path,
                    "tag": tags[0],
                    "summary": op.get("summary", ""),
                    "scope": scopes[0] if scopes else None,
                    "pagination": _pagination(op_id, names),
                    "envelope": _envelope(op_id, resolve, response_schema),
                    "envelope_all": op_id in ENVELOPE_ALL,
                    "sandbox_only": path.startswith("/sandbox/")
                    or path.endswith("/sandbox-status"),
                    "source": source,
                    "params": params,
                    "body": _body(resolve, op),
                }
            )
    return ops


def _scheme_scopes(spec: dict) -> dict[str, str]:
    out = {}
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        for flow in scheme.get("flows", {}).values():
            out.update(flow.get("scopes", {}))
    return out


def build(spec_dir: Path) -> tuple[list[dict], list[dict]]:
    """Return (operations, scopes) generated from the spec folder."""
    main, previews = _load(spec_dir)
    ops = _operations(main, "main")
    for name, spec in previews:
        ops.extend(_operations(spec, "preview:" + name.split("preview-")[1].split(".")[0]))
    ops.extend(json.loads(json.dumps(DOCS_ONLY_OPERATIONS)))
    ops.sort(key=lambda o: (o["path"], METHODS.index(o["method"].lower())))

    described: dict[str, tuple[str, str]] = {}
    for scope, text in _scheme_scopes(main).items():
        described[scope] = (text, "scheme")
    for _, spec in previews:
        for scope, text in _scheme_scopes(spec).items():
            described.setdefault(scope, (text, "preview-scheme"))
    used: dict[str, list[str]] = {}
    for op in ops:
        if op["scope"]:
            used.setdefault(op["scope"], []).append(op["operation_id"])
    names = set(described) | set(used) | set(DOCS_ONLY_SCOPES)
    scopes = []
    for scope in sorted(names):
        if scope in described:
            text, origin = described[scope]
        elif scope in DOCS_ONLY_SCOPES:
            text, origin = DOCS_ONLY_SCOPES[scope], "docs"
        else:
            # from the spec's operations only: a docs-only one keeps the text as it was
            summaries = [o["summary"] for o in ops if o["scope"] == scope and o["source"] != "docs"]
            text, origin = "; ".join(summaries), "operations"
        for wrong, right in DESCRIPTION_FIXES.items():
            text = text.replace(wrong, right)
        scopes.append(
            {
                "scope": scope,
                "family": scope.split(":", 1)[0],
                "access": "read" if ":read_" in scope or scope.endswith("_prices") else "write",
                "description": " ".join(text.split()),
                "described_by": origin,
                "operations": sorted(used.get(scope, [])),
            }
        )
    return ops, scopes


def build_schema_data(spec_dir: Path) -> dict:
    """The ``schemas.json`` data generated from the spec folder."""
    from .build_schemas import build_schemas

    main, previews = _load(spec_dir)
    sources = [("main", main)]
    sources += [(name.split("preview-")[1].split(".")[0], spec) for name, spec in previews]
    return build_schemas(sources, METHODS)


def dumps(data) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def dumps_compact(data) -> str:
    """One top-level key per line: the schemas are data for programs, not for reading."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec_dir = Path(argv[0] if argv else "../shared/paxos/spec")
    ops, scopes = build(spec_dir)
    (HERE / "operations.json").write_text(dumps(ops), encoding="utf-8")
    (HERE / "scopes.json").write_text(dumps(scopes), encoding="utf-8")
    schemas = build_schema_data(spec_dir)
    (HERE / "schemas.json").write_text(dumps_compact(schemas), encoding="utf-8")
    print(
        f"wrote {len(ops)} operations, {len(scopes)} scopes and "
        f"{len(schemas['components'])} schemas to {HERE}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
