"""Generate ``schemas.json``: the request and response schemas of every operation.

Part of ``python -m paxos_nb.catalog.build``. The output is the project's own data, not a copy
of the spec: only the schema keywords a validator or a test generator needs are kept
(descriptions, examples and titles are dropped), only the components some operation reaches
are written, and the spec's known bugs are corrected here, one commented fix each.

Shape::

    {"components": {Name: schema},
     "operations": {OperationId: {"path": {name: schema}, "query": {name: schema},
                                  "required": [query names], "body": schema | null,
                                  "body_required": bool, "responses": {status: schema}}}}

Schemas are OpenAPI 3.0 schema objects, a JSON Schema draft-4 dialect; ``$ref`` points to
``#/components/<Name>``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["KEEP", "add_documented_facts", "build_schemas"]

# Schema keywords that carry meaning for validation or generation.
KEEP = frozenset(
    {
        "type",
        "format",
        "enum",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "nullable",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "readOnly",
        "writeOnly",
    }
)
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})


_TRANSFER_TYPE = "CUBIX_DEPOSIT"  # an enum holding it lists transfer types
_FIAT_NETWORK = "DBS_ACT"  # ... fiat networks
_CRYPTO_NETWORK = "BITCOIN_CASH"  # ... crypto networks
_VERIFIER = "JUMIO"  # ... passthrough identity verifiers
_MARKET_STATUS = {
    "type": "object",
    "properties": {
        "buy_status": {"type": "string", "enum": ["AVAILABLE", "UNAVAILABLE"]},
        "sell_status": {"type": "string", "enum": ["AVAILABLE", "UNAVAILABLE"]},
        "buy_reason": {
            "type": "string",
            "enum": ["SCHEDULED_MAINTENANCE", "TRADING_SUSPENDED", "UNSCHEDULED_MAINTENANCE"],
        },
        "sell_reason": {
            "type": "string",
            "enum": ["SCHEDULED_MAINTENANCE", "TRADING_SUSPENDED", "UNSCHEDULED_MAINTENANCE"],
        },
        "updated_at": {"type": "string", "format": "date-time"},
        "scheduled_maintenance": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "starts_at": {"type": "string", "format": "date-time"},
                    "ends_at": {"type": "string", "format": "date-time"},
                    "recurrence": {"type": "string", "enum": ["NONE", "DAILY", "WEEKLY"]},
                },
            },
        },
    },
}


def _extend_enums(node: Any, marker: str, values: tuple[str, ...]) -> None:
    """Append ``values`` to every enum (components and inline parameters) holding ``marker``."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if isinstance(enum, list) and marker in enum:
            enum.extend(v for v in values if v not in enum)
        for value in node.values():
            _extend_enums(value, marker, values)
    elif isinstance(node, list):
        for value in node:
            _extend_enums(value, marker, values)


def add_documented_facts(spec: dict[str, Any]) -> None:
    """Facts the docs state that the published main spec lacks (it predates them).

    Applied to the loaded document before both generators run, so ``operations.json`` and
    ``schemas.json`` agree. Each is a documented addition (docs.paxos.com changelog and
    guides); compatible changes Paxos calls non-breaking.
    """
    # Changelog 2026-02: RTP (real-time payments) deposits: transfer type RTP_DEPOSIT and
    # fiat network RTP.
    _extend_enums(spec, _TRANSFER_TYPE, ("RTP_DEPOSIT",))
    _extend_enums(spec, _FIAT_NETWORK, ("RTP",))
    # Stablecoin network guide: PYUSD on Stellar; USDG on X Layer (the inline filter enums
    # of the crypto address lists omit XLAYER, which CryptoNetwork has).
    _extend_enums(spec, _CRYPTO_NETWORK, ("XLAYER", "STELLAR"))
    # Changelog 2025-12: the AiPrise passthrough verifier.
    _extend_enums(spec, _VERIFIER, ("AIPRISE",))
    found = spec.get("components", {}).get("schemas", {})
    # Changelog 2026-04-20: List Markets returns each market's `market_status`.
    if "MarketDetails" in found:
        found["MarketDetails"].setdefault("properties", {})["market_status"] = _MARKET_STATUS
    # Changelog 2026-02: the orchestration lists return `items` next to the old keys.
    for name, old in (
        ("ListOrchestrationsResponse", "orchestrations"),
        ("ListOrchestrationRulesResponse", "rules"),
    ):
        props = found.get(name, {}).get("properties", {})
        if old in props:
            props["items"] = props[old]
    # Changelog 2026-04: List Orchestrations filters by `ref_id` (repeatable, like its others).
    for item in spec.get("paths", {}).values():
        op = item.get("get", {})
        if op.get("operationId") == "ListOrchestrations":
            names = {p.get("name") for p in op.get("parameters", [])}
            if "ref_id" not in names:
                op.setdefault("parameters", []).append(
                    {
                        "name": "ref_id",
                        "in": "query",
                        "required": False,
                        "description": "Optionally filter by client reference ids.",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    }
                )


def _fix_components(components: dict[str, Any], path_markets: list[str]) -> None:
    """The spec's known schema bugs, corrected (docs.paxos.com shows the real shapes)."""
    # ListProfileBalances answers {"items": [...]} (docs example); the schema requires a
    # `balances` key it never defines.
    balances = components.get("ListProfileBalancesResponse")
    if balances:
        kept = [r for r in balances.pop("required", []) if r != "balances"]
        if kept:
            balances["required"] = kept
    # BeneficiaryPerson requires camelCase names (firstName, lastName) it does not define;
    # its properties are snake_case like every other Paxos field.
    person = components.get("BeneficiaryPerson")
    if person:
        person["required"] = ["first_name", "last_name"]
    # AddressInfo (travel-rule originator data) requires an `originator_info` it never
    # defines; its properties are `individual_info` and `institution_info`.
    address = components.get("AddressInfo")
    if address:
        kept = [r for r in address.pop("required", []) if r != "originator_info"]
        if kept:
            address["required"] = kept
    # GetTicker and GetOrderBook take 36 markets in their path, but their answers' `market`
    # fields are narrower enums (10 and 14 values): the answer for ETHBRL names ETHBRL.
    for name in ("TickerRecord", "GetOrderBookResponse"):
        schema = components.get(name)
        if schema and path_markets:
            schema.setdefault("properties", {})["market"] = {
                "type": "string",
                "enum": list(path_markets),
            }


class _Normalizer:
    """Copies schemas keeping :data:`KEEP`, rewriting refs, and records reached components."""

    def __init__(self, spec: dict[str, Any], rename: dict[str, str]) -> None:
        self.spec = spec
        self.rename = rename  # component name in this spec -> name in the catalog
        self.reached: dict[str, Any] = {}

    def ref_name(self, ref: str) -> str:
        if not ref.startswith("#/components/schemas/"):
            raise ValueError(f"unsupported $ref {ref!r}")
        name = ref.rsplit("/", 1)[1]
        if name not in self.reached:
            self.reached[name] = None  # mark before recursing: schemas may be recursive
            self.reached[name] = self.schema(self.spec["components"]["schemas"][name])
        return self.rename.get(name, name)

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if node["$ref"].startswith("#/components/examples/Problem_"):
                # The identity-controls preview points its error schemas at *examples*;
                # the bodies are Paxos's Problem (problem+json), as in the main spec.
                return {"$ref": "#/components/Problem"}
            return {"$ref": "#/components/" + self.ref_name(node["$ref"])}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key not in KEEP or (key == "required" and not value):
                continue  # draft 4 wants a non-empty `required`; empty means none
            if key == "properties":
                out[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key in _SUBSCHEMA and isinstance(value, dict):
                out[key] = self.schema(value)
            elif key in _SUBSCHEMA_LISTS:
                out[key] = [self.schema(sub) for sub in value]
            else:
                out[key] = value
        return out

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` to parameters, request bodies and responses."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node


def _json_media(content: dict[str, Any]) -> dict[str, Any] | None:
    for media in ("application/json", "application/problem+json"):
        if media in content:
            return content[media]
    return None


def _operation(norm: _Normalizer, shared: list[Any], op: dict[str, Any]) -> dict[str, Any]:
    path: dict[str, Any] = {}
    query: dict[str, Any] = {}
    required: list[str] = []
    for raw in [*shared, *op.get("parameters", [])]:
        param = norm.resolve(raw)
        target = path if param["in"] == "path" else query if param["in"] == "query" else None
        if target is None:
            continue  # header parameters: none in the Paxos specs
        target[param["name"]] = norm.schema(param.get("schema", {"type": "string"}))
        if param["in"] == "query" and param.get("required"):
            required.append(param["name"])
    body = None
    body_required = False
    request_body = norm.resolve(op.get("requestBody"))
    if request_body:
        body_media = _json_media(request_body.get("content", {})) or {}
        body = norm.schema(body_media.get("schema", {}))
        body_required = bool(request_body.get("required", False))
    responses = {}
    for status, raw in op.get("responses", {}).items():
        media = _json_media(norm.resolve(raw).get("content") or {})
        if media and media.get("schema"):
            responses[str(status)] = norm.schema(media["schema"])
    return {
        "path": path,
        "query": query,
        "required": required,
        "body": body,
        "body_required": body_required,
        "responses": responses,
    }


def _path_markets(spec: dict[str, Any]) -> list[str]:
    for item in spec.get("paths", {}).values():
        op = item.get("get", {})
        if op.get("operationId") == "GetTicker":
            for param in op.get("parameters", []):
                if param.get("name") == "market":
                    return list(param["schema"].get("enum", []))
    return []


# The markets of the candles page: the historical-prices markets but MATICUSD/MATICEUR,
# plus 14 newer ones (API-BRIEF-2 section 19 lists them).
CANDLE_MARKETS = [
    "ETHEUR",
    "ETHUSD",
    "BTCEUR",
    "BTCUSD",
    "PAXGUSD",
    "BCHUSD",
    "LTCUSD",
    "USDPUSD",
    "LINKUSD",
    "AAVEUSD",
    "UNIUSD",
    "ETHBRL",
    "BTCBRL",
    "LTCBRL",
    "BCHBRL",
    "USDPGBP",
    "USDPBRL",
    "AAVEMXN",
    "BCHMXN",
    "BTCMXN",
    "ETHMXN",
    "LTCMXN",
    "USDPMXN",
    "AAVEEUR",
    "BCHEUR",
    "LTCEUR",
    "LINKEUR",
    "PAXGEUR",
    "SOLEUR",
    "USDPEUR",
    "UNIEUR",
    "PYUSDEUR",
    "ETHGBP",
    "BTCGBP",
    "LTCGBP",
    "BCHGBP",
    "PYUSDGBP",
    "PEPEUSD",
    "TRUMPUSD",
    "SHIBUSD",
    "ARBUSD",
    "BONKUSD",
    "ENAUSD",
    "MNTUSD",
    "ONDOUSD",
    "PENGUUSD",
    "QNTUSD",
    "RENDERUSD",
    "SKYUSD",
    "WIFUSD",
    "WLDUSD",
]
INCREMENTS = [
    "ONE_MINUTE",
    "FIVE_MINUTES",
    "FIFTEEN_MINUTES",
    "THIRTY_MINUTES",
    "ONE_HOUR",
    "TWO_HOURS",
    "TWELVE_HOURS",
    "ONE_DAY",
    "ONE_WEEK",
    "TWO_WEEKS",
    "FOUR_WEEKS",
]

# The schemas of build.DOCS_ONLY_OPERATIONS, written from the docs pages that describe them.
DOCS_ONLY_SCHEMAS: dict[str, Any] = {
    "components": {
        "IssuerQuoteSettlementAvailability": {
            "type": "object",
            "properties": {
                "buy_quantity": {"type": "string"},
                "sell_quantity": {"type": "string"},
                "market": {"type": "string"},
                "snapshot_at": {"type": "string", "format": "date-time"},
            },
            "required": ["buy_quantity", "sell_quantity", "market", "snapshot_at"],
        },
        "Candle": {
            "type": "object",
            "properties": {
                "timestamp": {"type": "string", "format": "date-time"},
                "open": {"type": "string"},
                "high": {"type": "string"},
                "low": {"type": "string"},
                "close": {"type": "string"},
                "volume": {"type": "string"},
            },
            "required": ["timestamp", "open", "high", "low", "close", "volume"],
        },
        "ListHistoricalCandlesResponse": {
            "type": "object",
            "properties": {
                "market": {"type": "string"},
                "increment": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": "#/components/Candle"}},
                "next_page_cursor": {"type": "string"},
            },
            "required": ["market", "increment", "items"],
        },
    },
    "operations": {
        "ListHistoricalCandles": {
            "path": {"market": {"type": "string", "enum": CANDLE_MARKETS}},
            "query": {
                "increment": {"type": "string", "enum": INCREMENTS},
                "max_data_points": {"type": "integer", "format": "int64"},
                "range.begin": {"type": "string", "format": "date-time"},
                "range.end": {"type": "string", "format": "date-time"},
                "limit": {"type": "integer", "format": "int32"},
                "page_cursor": {"type": "string"},
            },
            "required": [],
            "body": None,
            "body_required": False,
            "responses": {
                "200": {"$ref": "#/components/ListHistoricalCandlesResponse"},
                "400": {"$ref": "#/components/Problem"},
            },
        },
        "GetIssuerQuoteSettlementAvailability": {
            "path": {},
            "query": {"market": {"type": "string", "enum": ["PAXGUSD"]}},
            "required": [],
            "body": None,
            "body_required": False,
            "responses": {
                "200": {"$ref": "#/components/IssuerQuoteSettlementAvailability"},
                "400": {"$ref": "#/components/Problem"},
            },
        },
    },
}


def build_schemas(specs: list[tuple[str, dict[str, Any]]], methods: tuple[str, ...]) -> dict:
    """``specs``: (source, document) pairs, main first. Returns the ``schemas.json`` data."""
    components: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    markets: list[str] = []
    for source, spec in specs:
        markets = markets or _path_markets(spec)
        theirs = spec.get("components", {}).get("schemas", {})
        # A preview spec may reuse a name of the main spec (for another shape): prefix it.
        rename = {name: f"{source}.{name}" for name in theirs if name in components}
        norm = _Normalizer(spec, rename)
        for item in spec.get("paths", {}).values():
            shared = item.get("parameters", [])
            for method in methods:
                op = item.get(method)
                if op:
                    operations[op["operationId"]] = _operation(norm, shared, op)
        for name, schema in norm.reached.items():
            components[rename.get(name, name)] = schema
    _fix_components(components, markets)
    docs = json.loads(json.dumps(DOCS_ONLY_SCHEMAS))
    components.update(docs["components"])
    operations.update(docs["operations"])
    return {
        "components": dict(sorted(components.items())),
        "operations": dict(sorted(operations.items())),
    }
