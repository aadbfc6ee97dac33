"""Every emulated JSON answer validates against the spec's response schema.

One scenario calls every operation the resource handlers emulate, over HTTP, and validates
each answer (200s and the problem+json errors met on the way) against the response schema
the catalog holds for that operation and status (generated from the OpenAPI documents; known
spec bugs are corrected there, see ``resources_schema.CatalogValidator``). The test fails if
any emulated operation was not validated with a 200 at least once.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from identity_support import person
from money_support import owner, wire

from paxos_nb import catalog
from paxos_nb.emulator.routes import load


class Checker:
    def __init__(self, world, spec) -> None:
        self.world, self.spec = world, spec
        self.validated: set[tuple[str, int]] = set()
        self.errors: list[str] = []

    def __call__(self, method: str, path: str, body=None, expect: int = 200, **params):
        status, data = self.world.api.call(method, path, body, **params)
        op = catalog.match(method, path)
        assert op is not None, path
        assert status == expect, (method, path, status, data)
        kind = self.world.api.last.headers["Content-Type"]
        assert kind.startswith(
            "application/json" if status == 200 else "application/problem+json"
        ), kind
        market = path.split("/")[2] if path.startswith("/markets/") else None
        for error in self.spec.validate(op.operation_id, status, data, market=market):
            query = "?" + urlencode(params, doseq=True) if params else ""
            self.errors.append(f"{method} {path}{query} -> {status}: {error}")
        self.validated.add((op.operation_id, status))
        return data


# Route modules whose answers are validated by their own schema test: the credentials
# operations are the core's; identities, documents and accounts by test_res_id_schema.py;
# the money families (events, fiat, limits, Paxos transfers, crypto deposits, destination
# addresses) by test_res_money_schema.py; identity controls by test_res_controls.py.
OWN_SCHEMA_TEST = (
    ".credentials", ".identities", ".identity_documents", ".accounts",
    ".events", ".fiat", ".fiat_accounts", ".limits", ".paxos_transfers", ".crypto_deposits",
    ".destinations",
    ".identity_controls",
)  # fmt: skip


def emulated_here() -> set[str]:
    """Operations served by the resource handlers and validated by this scenario."""
    return {op for op, fn in load().items() if not fn.__module__.endswith(OWN_SCHEMA_TEST)}


def test_every_emulated_response_matches_the_spec(world, spec):
    check = Checker(world, spec)
    pid, other = world.profile_id("default"), world.profile_id("trading")

    # Market data and pricing.
    check("GET", "/markets")
    for market in ("BTCUSD", "ETHBRL", "PYUSDEUR"):
        check("GET", f"/markets/{market}/ticker")
        check("GET", f"/markets/{market}/order-book")
    check("GET", "/markets/LINKUSD/recent-executions")
    check("GET", "/all-markets/prices", markets=["BTCUSD", "AAVEUSD"])
    check("GET", "/all-markets/prices", expect=400)
    check("GET", "/all-markets/ticker", expect=404)
    check(
        "GET", "/markets/BTCGBP/historical-prices", increment="ONE_DAY", **{"pagination.limit": 5}
    )
    check("GET", "/markets/BTCGBP/historical-prices", max_data_points="20")
    check("GET", "/markets/BTCGBP/historical-prices", expect=400)

    # Profiles, balances, sandbox deposit.
    check("GET", "/profiles")
    check("GET", "/profiles/default")
    made = check("POST", "/profiles", {"nickname": "schema", "description": "validated"})
    check("POST", "/profiles", {"nickname": "schema"}, expect=409)
    check("PUT", f"/profiles/{made['id']}", {"nickname": "schema-2"})
    check("GET", f"/profiles/{pid}/balances")
    check("GET", f"/profiles/{pid}/balances/BTC")
    check("PUT", f"/profiles/{made['id']}/deactivate")
    check("GET", f"/profiles/{made['id']}", expect=404)
    deposit = check(
        "POST",
        f"/sandbox/profiles/{pid}/deposit",
        {"asset": "USDG", "amount": "1000", "crypto_network": "INK"},
    )

    # Transfers and their writes.
    check("GET", "/transfer/transfers", limit=50)
    check("GET", "/transfer/transfers", page_cursor="broken", expect=400)
    check("GET", f"/transfer/transfers/{deposit['activity_id']}")
    check(
        "POST",
        "/transfer/deposit-addresses",
        {"profile_id": pid, "crypto_network": "ETHEREUM", "ref_id": "s-1", "metadata": {"k": "v"}},
    )
    check(
        "POST",
        "/transfer/deposit-addresses",
        {"profile_id": pid, "crypto_network": "ETHEREUM", "ref_id": "s-1"},
        expect=409,
    )
    check("GET", "/transfer/deposit-addresses")
    destination = {
        "destination_address": "0x" + "12" * 20,
        "asset": "USDG",
        "crypto_network": "ETHEREUM",
    }
    fee = check("POST", "/transfer/fees/crypto-withdrawal", {**destination, "amount": "100"})
    check(
        "POST",
        "/transfer/crypto-withdrawals",
        {**destination, "profile_id": pid, "amount": "100", "fee_id": fee["id"], "ref_id": "s-w"},
    )
    check(
        "POST",
        "/transfer/crypto-withdrawals",
        {**destination, "profile_id": pid, "amount": "100", "ref_id": "s-w"},
        expect=409,
    )
    check(
        "POST",
        "/transfer/crypto-withdrawals",
        {
            **destination,
            "asset": "BTC",
            "crypto_network": "BITCOIN",
            "profile_id": pid,
            "amount": "1",
        },
        expect=400,
    )
    check(
        "POST",
        "/transfer/internal",
        {
            "from_profile_id": pid,
            "to_profile_id": other,
            "amount": "10",
            "asset": "USD",
            "metadata": {"a": "b"},
        },
    )
    check(
        "POST",
        "/transfer/internal",
        {"from_profile_id": pid, "to_profile_id": other, "amount": "1e9", "asset": "USD"},
        expect=400,
    )
    check(
        "POST",
        "/transfer/internal",
        {"from_profile_id": pid, "to_profile_id": other, "amount": "999999999", "asset": "USD"},
        expect=403,
    )

    # Orders and executions.
    market = check(
        "POST",
        f"/profiles/{pid}/orders",
        {
            "side": "BUY",
            "market": "BTCUSD",
            "type": "MARKET",
            "quote_amount": "500.00",
            "metadata": {"m": "1"},
        },
    )
    limit = check(
        "POST",
        f"/profiles/{pid}/orders",
        {
            "side": "SELL",
            "market": "ETHEUR",
            "type": "LIMIT",
            "base_amount": "0.5",
            "price": "9000.00",
            "ref_id": "s-o",
        },
    )
    check(
        "POST",
        f"/profiles/{pid}/orders",
        {
            "side": "SELL",
            "market": "ETHEUR",
            "type": "LIMIT",
            "base_amount": "0.5",
            "price": "9000.00",
            "ref_id": "s-o",
        },
        expect=409,
    )
    check("GET", f"/profiles/{pid}/orders/{market['id']}")
    check("GET", "/orders", profile_id=pid)
    check("GET", f"/profiles/{pid}/orders", limit=1)
    check("DELETE", f"/profiles/{pid}/orders/{limit['id']}")
    check("DELETE", f"/profiles/{pid}/orders/{limit['id']}", expect=403)
    check("GET", "/executions")
    check("GET", f"/profiles/{pid}/executions", order_id=market["id"])

    # Quotes and quote executions.
    quotes = check("GET", "/quotes", markets=["BTCUSD", "ETHSGD"])
    buy = next(q for q in quotes["items"] if q["side"] == "BUY")
    done = check(
        "POST",
        f"/profiles/{pid}/quote-executions",
        {"quote_id": buy["id"], "quote_amount": "250.00", "ref_id": "s-q", "metadata": {"q": "1"}},
    )
    check("GET", f"/profiles/{pid}/quote-executions/{done['id']}")
    check("GET", f"/profiles/{pid}/quote-executions")
    world.clock.advance(31)
    check(
        "POST",
        f"/profiles/{pid}/quote-executions",
        {"quote_id": buy["id"], "quote_amount": "250.00"},
        expect=403,
    )
    check(
        "POST",
        f"/profiles/{pid}/quote-executions",
        {"quote_id": buy["id"], "quote_amount": "250.00", "ref_id": "s-q"},
        expect=409,
    )
    check("GET", f"/profiles/{pid}/quote-executions/{done['id']}")  # now SETTLED, with settled_at

    # Stablecoin conversions.
    conversion = check(
        "POST",
        "/conversion/stablecoins",
        {
            "profile_id": pid,
            "amount": "20",
            "source_asset": "USD",
            "target_asset": "PYUSD",
            "metadata": {"c": "1"},
        },
    )
    check("GET", f"/conversion/stablecoins/{conversion['id']}")
    check("DELETE", f"/conversion/stablecoins/{conversion['id']}")
    check("GET", "/conversion/stablecoins")

    # Orchestrations and rules.
    orchestration = check(
        "POST",
        "/orchestration/orchestrations",
        {
            "ref_id": "s-orc",
            "source_asset": "USD",
            "destination_asset": "USDP",
            "source_amount": "30",
            "destination": {"profile": {"profile_id": other}},
        },
    )
    world.clock.advance(2)
    check("GET", f"/orchestration/orchestrations/{orchestration['id']}")
    check("GET", "/orchestration/orchestrations")
    rule = check(
        "POST",
        "/orchestration/rules",
        {
            "ref_id": "s-r",
            "profile_id": pid,
            "source_asset": "USD",
            "destination_asset": "USDG",
            "source": {"fiat": {"network": "WIRE", "account_type": "SWIFT"}},
        },
    )
    # ... paying out: to a crypto destination address and to a fiat account, ad hoc and by
    # rule (a rule's deposit and its withdrawal carry auto_conversion).
    where = world.api.ok(
        "PUT", "/transfer/crypto-destination-address",
        {"crypto_network": "SOLANA", "address": "7" * 44},
    )["address"]  # fmt: skip
    bank = world.api.ok(
        "POST", "/transfer/fiat-accounts",
        {"fiat_account_owner": owner(), "fiat_network_instructions": wire()},
    )  # fmt: skip
    world.clock.advance(3)  # the fiat account is APPROVED
    to_crypto = check(
        "POST", "/orchestration/orchestrations",
        {"ref_id": "s-orc-c", "source_asset": "USD", "destination_asset": "USDG",
         "source_amount": "12", "destination": {"crypto": {"address_id": where["id"]}}},
    )  # fmt: skip
    check(
        "POST", "/orchestration/orchestrations",
        {"ref_id": "s-orc-f", "source_asset": "USDP", "destination_asset": "USD",
         "source_amount": "8", "destination": {"fiat": {"bank_account_id": bank["id"],
                                                        "memo": "m"}}},
    )  # fmt: skip
    check(
        "POST", "/orchestration/orchestrations",
        {"ref_id": "s-orc-x", "source_asset": "USD", "destination_asset": "USDG",
         "source_amount": "1", "destination": {"crypto": {"address_id": "nope"}}},
        expect=404,
    )  # fmt: skip
    sweep = check(
        "POST", "/orchestration/rules",
        {"ref_id": "s-r-c", "profile_id": other, "source_asset": "USDG",
         "destination_asset": "USD", "source": {"crypto": {"network": "SOLANA"}},
         "destination": {"fiat": {"fiat_account_id": bank["id"]}}},
    )["rule"]  # fmt: skip
    check(
        "POST", "/orchestration/rules",
        {"ref_id": "s-r-d", "profile_id": pid, "source_asset": "USD",
         "destination_asset": "USDG", "source": {"fiat": {"network": "WIRE",
                                                           "account_type": "ABA"}},
         "destination": {"crypto": {"crypto_address_id": where["id"]}}},
    )  # fmt: skip
    world.api.ok(
        "POST", f"/sandbox/profiles/{other}/deposit",
        {"asset": "USDG", "amount": "30", "crypto_network": "SOLANA",
         "crypto_address": sweep["source"]["crypto"]["address"]},
    )  # fmt: skip
    (swept,) = check("GET", "/orchestration/orchestrations", orchestration_rule_id=[sweep["id"]])[
        "items"
    ]
    out = check("GET", f"/transfer/transfers/{swept['destination_transfer']['transfer_id']}")
    check("GET", f"/transfer/transfers/{out['auto_conversion']['from_transfer_id']}")
    world.clock.advance(5)
    check("GET", f"/orchestration/orchestrations/{to_crypto['id']}")
    check("GET", "/orchestration/rules")
    check("DELETE", f"/orchestration/rules/{rule['rule']['id']}")
    world.clock.advance(timedelta(hours=1).total_seconds())
    check("GET", "/transfer/transfers", limit=20)  # settled records, with hashes and updated_at

    # Issue 13 part 2: settlement, issuer quotes, monitoring addresses, statements, tax forms.
    deal = check(
        "POST",
        "/settlement/transactions",
        {"ref_id": "s-set", "source_profile_id": pid, "target_profile_id": other,
         "legs": [{"direction": "DELIVER", "asset": "USD", "amount": "5"}]},
    )  # fmt: skip
    check("PUT", f"/settlement/transactions/{deal['id']}/affirm")
    world.clock.advance(2)
    check("GET", f"/settlement/transactions/{deal['id']}")
    check("GET", "/settlement/transactions")
    dropped = check(
        "POST",
        "/settlement/transactions",
        {"ref_id": "s-set-2", "source_profile_id": pid, "target_profile_id": other,
         "legs": [{"direction": "RECEIVE", "asset": "BTC", "amount": "0.001"}]},
    )  # fmt: skip
    check("DELETE", f"/settlement/transactions/{dropped['id']}")
    quote = check(
        "POST",
        "/issuer-quote",
        {"profile_id": pid, "market": "PAXGUSD", "side": "BUY", "base_amount": "0.1"},
    )
    check("POST", f"/issuer-quote/{quote['quote_id']}", {"profile_id": pid})
    check("GET", "/issuer-quotes")
    watched = check(
        "POST",
        "/rewards/monitor/address",
        {"crypto_network": "ETHEREUM", "address": "0x" + "ab" * 20},
    )["address"]
    check("GET", f"/rewards/monitor/address/{watched['id']}")
    check("PUT", f"/rewards/monitor/address/{watched['id']}", {"name": "renamed"})
    check("GET", "/rewards/monitor/address")
    check("GET", "/statements")
    check("GET", "/statements/payments")
    holder = world.api.ok("POST", "/identity/identities", person(1))["id"]
    account = world.api.ok("POST", "/identity/accounts", {"account": {"identity_id": holder}})["id"]
    check("GET", "/tax/tax-forms", account_ids=[account], tax_year="2025")
    check("GET", "/tax/tax-form-revisions", account_id=account, tax_year="2025")

    assert not check.errors, "\n".join(check.errors)
    ok = {op for op, status in check.validated if status == 200}
    # This scenario reads the main spec document only: the preview (rewards) and docs-only
    # operations are validated against the catalog's schemas in their own test modules.
    ok |= {op for op in emulated_here() if catalog.by_id(op).source not in ("main",)}
    # ListTickers is end-of-life at Paxos (404 since 2023-11-15): its Problem was validated.
    assert ("ListTickers", 404) in check.validated
    ok.add("ListTickers")
    missing = emulated_here() - ok
    assert not missing, f"emulated but never validated: {sorted(missing)}"
    assert len(ok) == len(emulated_here()) >= 40


def test_the_validator_is_not_vacuous(spec):
    good = {
        "id": "a", "customer_id": "b", "profile_id": "c", "amount": "1", "total": "1", "fee": "0",
        "asset": "USD", "direction": "CREDIT", "type": "WIRE_DEPOSIT", "status": "COMPLETED",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00.5Z",
    }  # fmt: skip
    assert spec.validate("GetTransfer", 200, good) == []
    for broken in (
        {k: v for k, v in good.items() if k != "id"},  # a required field missing
        {**good, "amount": 1},  # a number where Paxos sends a decimal string
        {**good, "status": "DONE"},  # outside the enum
        {**good, "created_at": "2026-01-01 00:00:00"},  # not RFC 3339
        {**good, "updated_at": "2026-01-01T00:00:00+01:00"},  # RFC 3339 but not UTC with Z
    ):
        assert spec.validate("GetTransfer", 200, broken), broken
    assert spec.validate("GetTicker", 200, {"market": "ETHBRL"}, market="ETHBRL") == []
    assert spec.validate("GetTicker", 200, {"market": "XXXYYY"}, market="XXXYYY")
    assert spec.validate("ListProfileBalances", 200, {"items": []}) == []
    assert spec.validate("CreateOrder", 403, {"title": "Forbidden", "status": "403"})
