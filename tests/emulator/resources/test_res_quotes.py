"""Held-rate quotes and quote executions: rounding rules, expiry, settlement, listing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest

CENT, SAT = Decimal("0.01"), Decimal("1e-8")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))  # Python 3.10 rejects "Z"


def quotes(world, *markets: str) -> dict[tuple[str, str], dict]:
    items = world.api.ok("GET", "/quotes", markets=list(markets))["items"]
    return {(q["market"], q["side"]): q for q in items}


def test_one_buy_and_one_sell_per_market_living_30_seconds(world):
    got = quotes(world, "BTCUSD", "ETHEUR")
    assert set(got) == {(m, s) for m in ("BTCUSD", "ETHEUR") for s in ("BUY", "SELL")}
    for q in got.values():
        life = _instant(q["expires_at"]) - _instant(q["created_at"])
        assert life == timedelta(seconds=30)
        assert q["base_asset"] + q["quote_asset"] == q["market"]
    buy, sell = got[("BTCUSD", "BUY")], got[("BTCUSD", "SELL")]
    assert Decimal(buy["price"]) > Decimal(sell["price"])
    assert buy["created_at"] == "2026-07-01T09:30:00Z"
    assert buy["expires_at"] == "2026-07-01T09:30:30Z"
    assert quotes(world, "BTCUSD")[("BTCUSD", "BUY")]["id"] == buy["id"]  # same second, same quote
    world.clock.advance(1)
    assert quotes(world, "BTCUSD")[("BTCUSD", "BUY")]["id"] != buy["id"]
    status, problem = world.api.get("/quotes")
    assert status == 400
    assert "markets is required" in problem["detail"]
    assert world.api.get("/quotes", markets=["SOLEUR"])[0] == 400  # not a trading market


@pytest.mark.parametrize(
    ("side", "given", "value"),
    [("BUY", "base_amount", "0.01234567"), ("SELL", "base_amount", "0.01234567"),
     ("BUY", "quote_amount", "1234.57"), ("SELL", "quote_amount", "1234.57")],
)  # fmt: skip
def test_hrq_rounding_rules(world, side, given, value):
    pid = world.profile_id("default")
    quote = quotes(world, "BTCUSD")[("BTCUSD", side)]
    price = Decimal(quote["price"])
    done = world.api.ok(
        "POST", f"/profiles/{pid}/quote-executions", {"quote_id": quote["id"], given: value}
    )
    assert (done["status"], done["side"], done["price"]) == ("CREATED", side, quote["price"])
    if given == "base_amount":
        # base + BUY ceils the quote amount; base + SELL floors it.
        rounding = ROUND_CEILING if side == "BUY" else ROUND_FLOOR
        assert done["base_amount"] == value
        assert Decimal(done["quote_amount"]) == (Decimal(value) * price).quantize(CENT, rounding)
    else:
        # quote + BUY floors the base amount; quote + SELL ceils it.
        rounding = ROUND_FLOOR if side == "BUY" else ROUND_CEILING
        assert done["quote_amount"] == value
        assert Decimal(done["base_amount"]) == (Decimal(value) / price).quantize(SAT, rounding)
    assert len(done["quote_amount"].split(".")[1]) == 2


def test_settlement_moves_both_sides(world):
    pid = world.profile_id("trading")

    def held(asset: str) -> Decimal:
        return Decimal(world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")["available"])

    usd, eth = held("USD"), held("ETH")
    quote = quotes(world, "ETHUSD")[("ETHUSD", "BUY")]
    done = world.api.ok(
        "POST",
        f"/profiles/{pid}/quote-executions",
        {"quote_id": quote["id"], "quote_amount": "1000.00", "ref_id": "qe-1"},
    )
    assert held("USD") == usd - Decimal("1000.00")
    assert held("ETH") == eth
    world.clock.advance(2)
    settled = world.api.ok("GET", f"/profiles/{pid}/quote-executions/{done['id']}")
    assert settled["status"] == "SETTLED"
    assert settled["settled_at"] > settled["created_at"]
    assert held("ETH") == eth + Decimal(done["base_amount"])
    assert world.ledger.audit()["ETH"]["difference"] == 0
    status, problem = world.api.post(
        f"/profiles/{pid}/quote-executions",
        {"quote_id": quote["id"], "quote_amount": "1000.00", "ref_id": "qe-1"},
    )
    assert status == 409
    assert problem["meta"]["existing"] == settled


def test_expired_unknown_and_invalid(world):
    pid = world.profile_id("default")
    quote = quotes(world, "PAXGUSD")[("PAXGUSD", "SELL")]
    world.clock.advance(31)
    status, problem = world.api.post(
        f"/profiles/{pid}/quote-executions", {"quote_id": quote["id"], "base_amount": "1"}
    )
    assert status == 403
    assert problem["type"].endswith("/expired")
    assert problem["title"] == "Expired"
    assert problem["meta"] == {"expired_at": quote["expires_at"]}
    assert problem["detail"] == f"quote {quote['id']} expired at {quote['expires_at']}"
    status, problem = world.api.post(
        f"/profiles/{pid}/quote-executions", {"quote_id": "nope", "base_amount": "1"}
    )
    assert (status, problem["detail"]) == (404, "quote not found with id nope")
    fresh = quotes(world, "BTCUSD")[("BTCUSD", "BUY")]["id"]
    for body, status_code, fragment in [
        ({"quote_id": fresh}, 400, "exactly one of base_amount or quote_amount"),
        ({"quote_id": fresh, "base_amount": "1", "quote_amount": "1"}, 400, "exactly one"),
        ({"quote_id": fresh, "quote_amount": "10.001"}, 400, "max precision"),
        ({"quote_id": fresh, "base_amount": "0.000000001"}, 400, "max precision"),
        ({"quote_id": fresh, "quote_amount": "50000.01"}, 400, "above the maximum 50000"),
        ({"quote_id": fresh, "base_amount": "1000"}, 400, "above the maximum"),
    ]:
        status, problem = world.api.post(f"/profiles/{pid}/quote-executions", body)
        assert status == status_code, (body, problem)
        assert fragment in problem["detail"], (body, problem)
    poor = world.api.ok("POST", "/profiles", {"nickname": "empty"})["id"]
    status, problem = world.api.post(
        f"/profiles/{poor}/quote-executions", {"quote_id": fresh, "quote_amount": "10"}
    )
    assert status == 403
    assert problem["meta"] == {
        "profile_id": poor,
        "asset": "USD",
        "available": "0",
        "needed": "10",
    }


def test_list_and_filters(world):
    pid = world.profile_id("default")
    got = quotes(world, "BTCUSD", "ETHUSD")
    made = [
        world.api.ok(
            "POST",
            f"/profiles/{pid}/quote-executions",
            {"quote_id": got[key]["id"], "quote_amount": "100"},
        )
        for key in (("BTCUSD", "BUY"), ("ETHUSD", "BUY"), ("BTCUSD", "SELL"))
    ]
    page = world.api.ok("GET", f"/profiles/{pid}/quote-executions", limit=2)
    assert page["total_count"] == 3
    assert len(page["items"]) == 2
    assert page["next_page_cursor"]
    rest = world.api.ok(
        "GET", f"/profiles/{pid}/quote-executions", limit=2, page_cursor=page["next_page_cursor"]
    )
    assert [q["id"] for q in page["items"] + rest["items"]] == [m["id"] for m in reversed(made)]
    assert "next_page_cursor" not in rest
    assert world.api.ok("GET", f"/profiles/{pid}/quote-executions", side="SELL")["total_count"] == 1
    assert (
        world.api.ok("GET", f"/profiles/{pid}/quote-executions", market="ETHUSD")["items"][0]["id"]
        == made[1]["id"]
    )
    asc = world.api.ok("GET", f"/profiles/{pid}/quote-executions", order="ASC")["items"]
    assert [q["id"] for q in asc] == [m["id"] for m in made]
    other = world.profile_id("trading")
    assert world.api.ok("GET", f"/profiles/{other}/quote-executions")["total_count"] == 0
    assert world.api.get(f"/profiles/{other}/quote-executions/{made[0]['id']}")[0] == 404
