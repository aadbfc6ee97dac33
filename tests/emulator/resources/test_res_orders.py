"""Order lifecycle against the synthetic book: fills, resting, cancel, executions, limits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

RATE = Decimal("0.0035")


def pair(world, pid: str, asset: str) -> tuple[Decimal, Decimal]:
    row = world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")
    return Decimal(row["available"]), Decimal(row["trading"])


def book(world, market: str = "BTCUSD") -> dict:
    return world.api.ok("GET", f"/markets/{market}/order-book")


def order(world, pid: str, **body) -> dict:
    return world.api.ok("POST", f"/profiles/{pid}/orders", body)


def test_market_buy_fills_against_the_book_with_exact_balances(world):
    pid = world.profile_id("default")
    usd, btc = pair(world, pid, "USD"), pair(world, pid, "BTC")
    created = order(
        world, pid, side="BUY", market="BTCUSD", type="MARKET", quote_amount="250000.00"
    )
    assert created["status"] == "SUBMITTED"
    assert created["amount_filled"] == "0.00000000"
    assert created["time_in_force"] == "IOC"
    assert created["quote_amount"] == "250000.00"
    filled = world.api.ok("GET", f"/profiles/{pid}/orders/{created['id']}")
    assert filled["status"] == "FILLED"
    runs = world.api.ok("GET", "/executions", order_id=created["id"], limit=1000)["items"]
    assert len(runs) > 1  # it walked several price levels
    asks = [Decimal(a["price"]) for a in book(world)["asks"]]
    assert {Decimal(e["price"]) for e in runs} <= set(asks)
    gross = sum(Decimal(e["gross_trade_amount"]) for e in runs)
    commission = sum(Decimal(e["commission"]) for e in runs)
    amount = sum(Decimal(e["amount"]) for e in runs)
    assert Decimal(filled["amount_filled"]) == amount
    assert gross <= Decimal("250000")
    assert commission == gross * RATE
    assert all(
        Decimal(e["gross_trade_amount"]) == Decimal(e["amount"]) * Decimal(e["price"]) for e in runs
    )
    assert pair(world, pid, "USD") == (usd[0] - gross - commission, Decimal(0))
    assert pair(world, pid, "BTC") == (btc[0] + amount, Decimal(0))
    vwap = (gross / amount).quantize(Decimal("1e-8"))
    assert Decimal(filled["volume_weighted_average_price"]) == vwap


def test_market_sell_and_await_fill(world):
    pid = world.profile_id("trading")
    result = order(
        world,
        pid,
        side="SELL",
        market="ETHUSD",
        type="MARKET",
        base_amount="3.5",
        await_fill_millis=500,
    )
    assert result["status"] == "FILLED"
    assert result["amount_filled"] == "3.50000000"
    bids = {Decimal(b["price"]) for b in book(world, "ETHUSD")["bids"]}
    runs = world.api.ok("GET", f"/profiles/{pid}/executions", order_id=result["id"])["items"]
    assert {Decimal(e["price"]) for e in runs} <= bids
    assert all(e["side"] == "SELL" for e in runs)


def test_limit_rests_reserves_trading_and_cancel_releases(world):
    pid = world.profile_id("default")
    usd = pair(world, pid, "USD")
    best_bid = Decimal(book(world)["bids"][0]["price"])
    price = (best_bid * Decimal("0.9") / Decimal("0.25")).to_integral_value() * Decimal("0.25")
    created = order(
        world,
        pid,
        side="BUY",
        market="BTCUSD",
        type="LIMIT",
        base_amount="0.5",
        price=str(price),
        ref_id="rest-1",
    )
    resting = world.api.ok("GET", f"/profiles/{pid}/orders/{created['id']}")
    assert resting["status"] == "OPEN"
    assert resting["time_in_force"] == "GTC"
    reserve = Decimal("0.5") * price * (1 + RATE)
    assert pair(world, pid, "USD") == (usd[0] - reserve, reserve)
    assert world.api.ok("DELETE", f"/profiles/{pid}/orders/{created['id']}") == {}
    assert world.api.ok("GET", f"/profiles/{pid}/orders/{created['id']}")["status"] == "CANCELLED"
    assert pair(world, pid, "USD") == usd
    status, problem = world.api.delete(f"/profiles/{pid}/orders/{created['id']}")
    assert (status, problem["detail"]) == (403, "order is not in cancellable state")
    # An order of another profile is not found under this one.
    assert (
        world.api.get(f"/profiles/{world.profile_id('trading')}/orders/{created['id']}")[0] == 404
    )


def test_crossing_limit_fills_what_it_can_and_rests_the_rest(world):
    pid = world.profile_id("treasury")
    asks = book(world)["asks"]
    limit = Decimal(asks[2]["price"])  # crosses the three best levels
    depth = sum(Decimal(a["amount"]) for a in asks[:3])
    size = (depth + Decimal("1")).quantize(Decimal("1e-8"))
    usd = pair(world, pid, "USD")
    created = order(
        world,
        pid,
        side="BUY",
        market="BTCUSD",
        type="LIMIT",
        base_amount=str(size),
        price=str(limit),
    )
    now = world.api.ok("GET", f"/profiles/{pid}/orders/{created['id']}")
    assert now["status"] == "OPEN"
    assert Decimal(now["amount_filled"]) == depth
    runs = world.api.ok("GET", "/executions", order_id=created["id"])["items"]
    spent = sum(Decimal(e["gross_trade_amount"]) * (1 + RATE) for e in runs)
    reserve = (size - depth) * limit * (1 + RATE)
    assert pair(world, pid, "USD") == (usd[0] - spent - reserve, reserve)


def test_time_in_force_and_post_only(world):
    pid = world.profile_id("default")
    asks = book(world)["asks"]
    price = asks[0]["price"]
    huge = str(Decimal(asks[0]["amount"]) + Decimal("0.5"))  # more than the best level holds
    fok = order(
        world,
        pid,
        side="BUY",
        market="BTCUSD",
        type="LIMIT",
        base_amount=huge,
        price=price,
        time_in_force="FOK",
    )
    fok = world.api.ok("GET", f"/profiles/{pid}/orders/{fok['id']}")
    assert fok["status"] == "CANCELLED"
    assert fok["amount_filled"] == "0.00000000"
    assert world.api.ok("GET", "/executions", order_id=fok["id"])["items"] == []
    ioc = order(
        world,
        pid,
        side="BUY",
        market="BTCUSD",
        type="LIMIT",
        base_amount=huge,
        price=price,
        time_in_force="IOC",
    )
    ioc = world.api.ok("GET", f"/profiles/{pid}/orders/{ioc['id']}")
    assert ioc["status"] == "CANCELLED"
    assert Decimal(ioc["amount_filled"]) == Decimal(asks[0]["amount"])
    post = order(
        world,
        pid,
        side="BUY",
        market="BTCUSD",
        type="POST_ONLY_LIMIT",
        base_amount="0.01",
        price=price,
    )
    assert world.api.ok("GET", f"/profiles/{pid}/orders/{post['id']}")["status"] == "REJECTED"
    assert pair(world, pid, "USD")[1] == 0  # nothing left reserved


def test_gtt_order_expires(world):
    pid = world.profile_id("default")
    expires = world.clock.now() + timedelta(seconds=60)
    millis = str(int(expires.timestamp() * 1000))
    created = order(
        world,
        pid,
        side="SELL",
        market="ETHUSD",
        type="LIMIT",
        base_amount="1",
        price="99999.95",
        time_in_force="GTT",
        expiration_date=millis,
    )
    assert created["expiration_date"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert pair(world, pid, "ETH")[1] == 1
    world.clock.advance(61)
    assert world.api.ok("GET", f"/profiles/{pid}/orders/{created['id']}")["status"] == "CANCELLED"
    assert pair(world, pid, "ETH")[1] == 0
    status, problem = world.api.post(
        f"/profiles/{pid}/orders",
        {
            "side": "SELL",
            "market": "ETHUSD",
            "type": "LIMIT",
            "base_amount": "1",
            "price": "5000",
            "time_in_force": "GTT",
            "expiration_date": millis,
        },
    )
    assert status == 400
    assert "10 seconds in the future" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (
            {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "600000"},
            403,
            "notional value too large",
        ),
        (
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "LIMIT",
                "base_amount": "1",
                "price": "500000",
            },
            403,
            "15% or more away",
        ),
        (
            {"side": "BUY", "market": "MATICUSD", "type": "MARKET", "quote_amount": "10"},
            403,
            "no marketable orders",
        ),
        (
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "LIMIT",
                "base_amount": "1",
                "price": "100.10",
            },
            400,
            "tick rate 0.25",
        ),
        (
            {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "base_amount": "1"},
            400,
            "quote_amount",
        ),
        (
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "LIMIT",
                "base_amount": "-10",
                "price": "100",
            },
            400,
            "base_amount invalid: invalid amount '-10': must be positive decimal",
        ),
        (
            {"side": "BUY", "market": "DOGEUSD", "type": "MARKET", "quote_amount": "1"},
            400,
            "market invalid",
        ),
        (
            {"side": "SELL", "market": "BTCUSD", "type": "MARKET", "base_amount": "100000"},
            403,
            "notional value too large",
        ),
        (
            {"side": "SELL", "market": "BTCUSD", "type": "MARKET", "base_amount": "1.000000001"},
            400,
            "max precision",
        ),
        (
            {"side": "SELL", "market": "BTCUSD", "type": "STOP_MARKET", "base_amount": "1"},
            400,
            "stop_price is required",
        ),
        (
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "MARKET",
                "quote_amount": "10",
                "time_in_force": "GTC",
            },
            400,
            "not allowed for MARKET",
        ),
    ],
)
def test_order_rejections(world, body, status, fragment):
    got, problem = world.api.post(f"/profiles/{world.profile_id('default')}/orders", body)
    assert got == status, problem
    assert fragment in problem["detail"], problem


def test_insufficient_funds_and_notional_meta(world):
    pid = world.api.ok("POST", "/profiles", {"nickname": "poor"})["id"]
    status, problem = world.api.post(
        f"/profiles/{pid}/orders",
        {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "100.00"},
    )
    assert status == 403
    assert problem["meta"] == {
        "profile_id": pid,
        "asset": "USD",
        "available": "0",
        "needed": "100.35",
    }
    status, problem = world.api.post(
        f"/profiles/{pid}/orders",
        {"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "500000.01"},
    )
    assert problem["meta"] == {
        "market": "BTCUSD",
        "order_type": "MARKET",
        "order_notional_value": "500000.01",
        "max_notional_value": "500000",
    }


def test_lists_filters_paging_and_ref_reuse(world):
    pid, other = world.profile_id("default"), world.profile_id("trading")
    made = [
        order(
            world,
            pid,
            side="BUY",
            market="ETHUSD",
            type="MARKET",
            quote_amount="100",
            ref_id=f"o-{n}",
        )
        for n in range(5)
    ]
    made.append(
        order(world, other, side="SELL", market="BTCUSD", type="MARKET", base_amount="0.01")
    )
    ids, cursor = [], None
    while True:
        page = world.api.ok(
            "GET", "/orders", limit=2, **({"page_cursor": cursor} if cursor else {})
        )
        ids += [o["id"] for o in page["items"]]
        cursor = page.get("next_page_cursor")
        if not cursor:
            break
    assert ids == [o["id"] for o in reversed(made)]  # newest first, every order once
    mine = world.api.ok("GET", f"/profiles/{pid}/orders")["items"]
    assert {o["id"] for o in mine} == {o["id"] for o in made[:5]}
    assert (
        len(
            world.api.ok("GET", "/orders", profile_id=other, market="BTCUSD", status="FILLED")[
                "items"
            ]
        )
        == 1
    )
    assert [
        o["ref_id"] for o in world.api.ok("GET", "/orders", ref_ids=["o-1", "o-3"])["items"]
    ] == ["o-3", "o-1"]
    window = world.api.ok("GET", "/orders", **{"order_time.begin": "2026-07-02T00:00:00Z"})["items"]
    assert window == []
    # The spec's rule for since_execution_id: "Excludes executions after the given ID".
    runs = world.api.ok("GET", f"/profiles/{pid}/executions", limit=500)["items"]
    ids = sorted(int(e["execution_id"]) for e in runs)
    upto = world.api.ok(
        "GET", f"/profiles/{pid}/executions", since_execution_id=str(ids[1]), limit=500
    )["items"]
    assert sorted(int(e["execution_id"]) for e in upto) == ids[:2]
    assert len(world.api.ok("GET", f"/profiles/{pid}/executions")["items"]) == min(20, len(runs))
    # A ref_id is reusable once its order has been closed for more than 24 hours.
    body = {
        "side": "BUY",
        "market": "ETHUSD",
        "type": "MARKET",
        "quote_amount": "100",
        "ref_id": "o-0",
    }
    status, problem = world.api.post(f"/profiles/{pid}/orders", body)
    assert status == 409
    assert problem["meta"]["existing"]["id"] == made[0]["id"]
    world.clock.advance(24 * 3600 + 1)
    assert world.api.ok("POST", f"/profiles/{pid}/orders", body)["id"] != made[0]["id"]


def test_executions_carry_the_orders_account_id(world):
    # Execution.account_id (spec: "Account ID associated with the execution") is the
    # identity_account_id the order was placed for; the account_id filter selects by it.
    pid = world.profile_id("default")
    placed = order(
        world, pid, side="BUY", market="BTCUSD", type="MARKET", quote_amount="100.00",
        identity_id="id-1", identity_account_id="acct-1",
    )  # fmt: skip
    plain = order(world, pid, side="BUY", market="BTCUSD", type="MARKET", quote_amount="100.00")
    mine = world.api.ok("GET", "/executions", order_id=placed["id"])["items"]
    assert mine
    assert {e["account_id"] for e in mine} == {"acct-1"}
    others = world.api.ok("GET", "/executions", order_id=plain["id"])["items"]
    assert others
    assert all("account_id" not in e for e in others)
    by_account = world.api.ok("GET", "/executions", account_id="acct-1", limit=1000)["items"]
    assert {e["order_id"] for e in by_account} == {placed["id"]}
