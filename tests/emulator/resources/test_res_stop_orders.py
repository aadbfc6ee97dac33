"""STOP_MARKET and STOP_LIMIT orders (CreateOrder: sell stop losses that "convert to a market
sell order" or "to a limit sell order" "when the stop price is hit"): armed out of the book,
triggered by the best bid on the emulated clock, then matched like any order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_res_orders import book, order, pair

MARKET = "BTCUSD"


def best_bid(world) -> Decimal:
    return Decimal(book(world, MARKET)["bids"][0]["price"])


TICK = Decimal("0.25")  # BTCUSD's tick


def ticks(n: int) -> Decimal:
    return TICK * n


def on_tick(price: Decimal) -> Decimal:
    return (price / TICK).to_integral_value() * TICK


def get(world, pid: str, oid: str) -> dict:
    return world.api.ok("GET", f"/profiles/{pid}/orders/{oid}")


def wait_for_trigger(world, pid: str, oid: str, seconds: int = 600) -> dict:
    """Advance the frozen clock a second at a time until the order has triggered."""
    for _ in range(seconds):
        world.clock.advance(1)
        got = get(world, pid, oid)
        if got["is_triggered"]:
            return got
    raise AssertionError(f"order {oid} never triggered in {seconds} s")


def stop_just_below(world, pid: str) -> tuple[dict, Decimal]:
    """An armed STOP_MARKET one tick below the best bid, and the bid it was placed at."""
    bid = best_bid(world)
    made = order(
        world, pid, side="SELL", market=MARKET, type="STOP_MARKET", base_amount="0.5",
        stop_price=str(bid - ticks(1)),
    )  # fmt: skip
    return made, bid


def test_a_stop_market_waits_out_of_the_book_with_its_base_reserved(world):
    pid = world.profile_id("default")
    btc = pair(world, pid, "BTC")
    levels_before = book(world, MARKET)
    stop = str(on_tick(best_bid(world) * Decimal("0.5")))  # far below: never hit in this test
    made = order(
        world, pid, side="SELL", market=MARKET, type="STOP_MARKET", base_amount="0.5",
        stop_price=stop,
    )  # fmt: skip
    assert made["status"] == "SUBMITTED"
    assert made["time_in_force"] == "GTC"
    assert made["stop_price"] == f"{Decimal(stop):.2f}"
    assert made["is_triggered"] is False
    now = get(world, pid, made["id"])
    assert (now["status"], now["is_triggered"], now["amount_filled"]) == (
        "OPEN",
        False,
        "0.00000000",
    )
    assert pair(world, pid, "BTC") == (btc[0] - Decimal("0.5"), btc[1] + Decimal("0.5"))
    assert book(world, MARKET) == levels_before  # a stop order is not shown in the book
    world.api.ok("DELETE", f"/profiles/{pid}/orders/{made['id']}")
    assert get(world, pid, made["id"])["status"] == "CANCELLED"
    assert pair(world, pid, "BTC") == btc


def test_a_stop_market_triggers_when_the_best_bid_reaches_it_and_sells_at_market(world):
    pid = world.profile_id("default")
    btc, usd = pair(world, pid, "BTC"), pair(world, pid, "USD")
    made, placed_bid = stop_just_below(world, pid)
    assert get(world, pid, made["id"])["is_triggered"] is False
    done = wait_for_trigger(world, pid, made["id"])
    assert done["status"] == "FILLED"
    assert done["amount_filled"] == "0.50000000"
    runs = world.api.ok("GET", "/executions", order_id=made["id"], limit=1000)["items"]
    assert runs
    assert all(e["side"] == "SELL" for e in runs)
    stop = Decimal(made["stop_price"])
    assert all(Decimal(e["price"]) <= stop for e in runs)  # sold once the bid was at the stop
    executed = {e["executed_at"] for e in runs}
    assert len(executed) == 1
    assert executed.pop() <= done["modified_at"]
    gross = sum(Decimal(e["gross_trade_amount"]) for e in runs)
    commission = sum(Decimal(e["commission"]) for e in runs)
    assert pair(world, pid, "BTC") == (btc[0] - Decimal("0.5"), btc[1])
    assert pair(world, pid, "USD") == (usd[0] + gross - commission, usd[1])
    assert placed_bid > stop


def test_a_stop_limit_triggers_then_rests_as_a_limit_sell_at_its_price(world):
    pid = world.profile_id("default")
    bid = best_bid(world)
    limit = bid + ticks(20_000)  # far above the market: it rests once triggered
    made = order(
        world, pid, side="SELL", market=MARKET, type="STOP_LIMIT", base_amount="0.25",
        stop_price=str(bid - ticks(1)), price=str(limit),
    )  # fmt: skip
    assert made["type"] == "STOP_LIMIT"
    assert made["price"] == f"{limit:.2f}"
    assert f"{limit:.2f}" not in {a["price"] for a in book(world, MARKET)["asks"]}
    done = wait_for_trigger(world, pid, made["id"])
    assert (done["status"], done["amount_filled"]) == ("OPEN", "0.00000000")
    asks = {a["price"]: a["amount"] for a in book(world, MARKET)["asks"]}
    assert Decimal(asks[f"{limit:.2f}"]) >= Decimal("0.25")  # now resting in the book
    world.api.ok("DELETE", f"/profiles/{pid}/orders/{made['id']}")
    asks = {a["price"] for a in book(world, MARKET)["asks"]}
    assert f"{limit:.2f}" not in asks


def test_a_stop_at_or_above_the_bid_triggers_at_once(world):
    pid = world.profile_id("default")
    made = order(
        world, pid, side="SELL", market=MARKET, type="STOP_MARKET", base_amount="0.1",
        stop_price=str(best_bid(world) + ticks(100)),
    )  # fmt: skip
    assert made["status"] == "SUBMITTED"
    assert made["is_triggered"] is False
    now = get(world, pid, made["id"])
    assert (now["status"], now["is_triggered"]) == ("FILLED", True)


def test_the_highest_stop_triggers_first_and_a_long_clock_jump_still_triggers(world):
    pid = world.profile_id("default")
    bid = best_bid(world)
    low = order(
        world, pid, side="SELL", market=MARKET, type="STOP_MARKET", base_amount="0.1",
        stop_price=str(on_tick(bid * Decimal("0.2"))),
    )  # fmt: skip
    near, _ = stop_just_below(world, pid)
    first = wait_for_trigger(world, pid, near["id"])
    assert get(world, pid, low["id"])["is_triggered"] is False
    assert first["status"] == "FILLED"
    world.clock.advance(timedelta(days=3).total_seconds())  # rebuilt books, not replayed
    assert get(world, pid, low["id"])["status"] == "OPEN"  # 80% below: not reached


def test_a_gtt_stop_expires_unless_triggered(world):
    pid = world.profile_id("default")
    expires = int((world.clock.now() + timedelta(seconds=30)).timestamp() * 1000)
    made = order(
        world, pid, side="SELL", market=MARKET, type="STOP_LIMIT", base_amount="0.1",
        stop_price=str(on_tick(best_bid(world) * Decimal("0.5"))), price="1000.00",
        time_in_force="GTT", expiration_date=str(expires),
    )  # fmt: skip
    world.clock.advance(31)
    got = get(world, pid, made["id"])
    assert (got["status"], got["is_triggered"]) == ("CANCELLED", False)


def test_an_armed_stop_order_is_listed_open_with_its_stop_price(world):
    pid = world.profile_id("default")
    made, _ = stop_just_below(world, pid)
    listed = world.api.ok("GET", "/orders", profile_id=pid, status="OPEN")["items"]
    mine = next(o for o in listed if o["id"] == made["id"])
    assert (mine["stop_price"], mine["is_triggered"]) == (made["stop_price"], False)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"side": "BUY", "type": "STOP_MARKET", "base_amount": "1", "stop_price": "100.00"},
            "STOP_MARKET orders are sell-side only",
        ),
        ({"side": "SELL", "type": "STOP_MARKET", "base_amount": "1"}, "stop_price"),
        (
            {"side": "SELL", "type": "STOP_LIMIT", "base_amount": "1", "stop_price": "100.00"},
            "price",
        ),
        (
            {"side": "SELL", "type": "STOP_MARKET", "base_amount": "1", "stop_price": "100.10"},
            "stop_price 100.10 is not a multiple of the tick rate",
        ),
        (
            {
                "side": "SELL",
                "type": "STOP_MARKET",
                "base_amount": "1",
                "stop_price": "100.00",
                "time_in_force": "IOC",
            },
            "time_in_force IOC is not allowed for STOP_MARKET orders",
        ),
        (
            {
                "side": "SELL",
                "type": "LIMIT",
                "base_amount": "1",
                "price": "100.00",
                "stop_price": "90.00",
            },
            "stop_price is only for STOP_MARKET and STOP_LIMIT orders, not LIMIT",
        ),
    ],
)
def test_stop_order_refusals_name_the_field(world, body, fragment):
    got, problem = world.api.post(
        f"/profiles/{world.profile_id('default')}/orders", {"market": MARKET, **body}
    )
    assert got == 400, problem
    assert fragment in problem["detail"], problem


# -- generated plans: the promises hold whatever the stops, amounts and clock moves --------
STOP_PLAN = st.lists(
    st.tuples(
        st.sampled_from(["STOP_MARKET", "STOP_LIMIT"]),
        st.integers(-60, 3),  # stop price: ticks from the best bid (>= 0 triggers at once)
        st.integers(-40, 40),  # STOP_LIMIT price: ticks from the stop price
        st.integers(1, 200),  # base amount in 0.0001 BTC
        st.integers(0, 40),  # seconds the clock moves after placing it
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(plan=STOP_PLAN)
def test_generated_stop_plans_conserve_money_and_trigger_exactly_when_hit(module_world, plan):
    world = module_world
    pid = world.profile_id("default")
    held_before = pair(world, pid, "BTC")[1]
    made = []
    for kind, stop_ticks, limit_ticks, amount, wait in plan:
        stop = best_bid(world) + ticks(stop_ticks)
        body = {"side": "SELL", "market": MARKET, "type": kind, "stop_price": str(stop),
                "base_amount": str(Decimal(amount) / 10_000)}  # fmt: skip
        if kind == "STOP_LIMIT":
            body["price"] = str(max(stop + ticks(limit_ticks), TICK))
        made.append(order(world, pid, **body))
        world.clock.advance(wait)
    bid = best_bid(world)
    for sent in made:
        now = get(world, pid, sent["id"])
        runs = world.api.ok("GET", "/executions", order_id=sent["id"], limit=1000)["items"]
        prices = [Decimal(e["price"]) for e in runs]
        if not now["is_triggered"]:  # still armed: the bid never reached it
            assert (now["status"], runs) == ("OPEN", [])
            assert Decimal(now["stop_price"]) < bid
        elif now["type"] == "STOP_MARKET":  # sold at market, at or below the stop
            assert now["status"] in ("FILLED", "CANCELLED")
            assert all(p <= Decimal(now["stop_price"]) for p in prices)
        else:  # a limit sell at its price or better
            assert now["status"] in ("OPEN", "FILLED")
            assert all(p >= Decimal(now["price"]) for p in prices)
        filled = sum((Decimal(e["amount"]) for e in runs), Decimal(0))
        assert Decimal(now["amount_filled"]) == filled
        if now["status"] == "OPEN":
            world.api.ok("DELETE", f"/profiles/{pid}/orders/{sent['id']}")
    assert pair(world, pid, "BTC")[1] == held_before  # every reservation came back
    audit = world.ledger.audit()
    assert all(line["difference"] == 0 for line in audit.values()), audit
