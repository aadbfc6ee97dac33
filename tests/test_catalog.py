"""The operations catalog: generated from the spec, complete, and matching concrete paths."""

from __future__ import annotations

import csv
import json

import pytest

from paxos_nb import catalog
from paxos_nb.catalog import build


def test_committed_catalog_matches_the_spec(root, spec_dir):
    ops, scopes = build.build(spec_dir)
    here = root / "paxos_nb" / "catalog"
    assert json.loads((here / "operations.json").read_text()) == json.loads(build.dumps(ops))
    assert json.loads((here / "scopes.json").read_text()) == json.loads(build.dumps(scopes))


def test_catalog_agrees_with_the_operations_table(spec_dir):
    table = spec_dir.parent / "operations.csv"
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    spec_ops = [op for op in catalog.operations() if op.source != "docs"]  # docs-only: newer
    assert len(rows) == len(spec_ops) == 111
    for row in rows:
        op = catalog.by_id(row["operation_id"])
        assert (op.method, op.path, op.tag) == (row["method"], row["path"], row["tag"])
        assert (op.scope or "none") == row["scope"]
        assert bool(op.pagination) == (row["paginated"] == "yes")
        assert op.sandbox_only == (row["sandbox_only"] == "yes")


def test_sixty_scopes_each_described():
    scopes = catalog.scopes()
    assert len(scopes) == 60
    assert all(s.description for s in scopes)
    used = {op.scope for op in catalog.operations() if op.scope}
    assert used <= {s.scope for s in scopes}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/profiles", "ListProfiles"),
        ("GET", "/profiles/default", "GetProfile"),
        ("get", "/v2/profiles/3f2a/balances", "ListProfileBalances"),
        ("GET", "/profiles/3f2a/balances/BTC?x=1", "GetProfileBalance"),
        ("DELETE", "/profiles/p/orders/o", "CancelOrder"),
        ("GET", "/transfer/crypto-destination-addresses", "ListCryptoDestinationAddresses"),
        ("PUT", "/transfer/crypto-destination-address", "PutCryptoDestinationAddress"),
        ("POST", "/issuer-quote/q1", "CreateIssuerQuoteExecution"),
        ("GET", "/identity/controls", "ListIdentityControls"),
    ],
)
def test_match_concrete_paths(method, path, expected):
    assert catalog.match(method, path).operation_id == expected


def test_match_unknown_is_none():
    assert catalog.match("GET", "/nope") is None
    assert catalog.match("PATCH", "/profiles") is None


def test_public_operations_are_market_data_and_pricing():
    public = {op.operation_id for op in catalog.operations() if op.public}
    assert public == {
        "ListMarkets",
        "GetTicker",
        "GetOrderBook",
        "ListRecentExecutions",
        "ListPrices",
        "ListTickers",
    }
