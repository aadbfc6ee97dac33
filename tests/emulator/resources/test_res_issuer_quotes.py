"""Issuer quotes (PAXG mint and redeem): pricing, expiry, settlement, availability, answers."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import strategies as st
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.emulator.backends.issuer_quotes import gold_market_open
from paxos_nb.session import connect


def _quote(world, side="BUY", amount="1.5"):
    pid = world.profile_id("default")
    body = {"profile_id": pid, "market": "PAXGUSD", "side": side, "base_amount": amount}
    q = world.api.ok("POST", "/issuer-quote", body)
    assert_valid("CreateIssuerQuote", q)
    return pid, q


def _paxg_usd(world, pid):
    pair = world.ledger.balances.pair
    return pair(pid, "PAXG")[0], pair(pid, "USD")[0]


def test_a_buy_quote_holds_five_seconds_and_charges_the_fee_in_paxg(world):
    _, q = _quote(world)
    assert (q["market"], q["side"], q["quantity"]) == ("PAXGUSD", "BUY", "1.5")
    assert q["fee"] == "0.00375"  # 0.25 % of the quantity
    assert Decimal(q["quote_amount"]) == (Decimal(q["price"]) * Decimal("1.5")).quantize(
        Decimal("0.01"), rounding="ROUND_CEILING"
    )
    assert q["expires_at"] == "2026-07-01T09:30:05Z"


def test_buy_pays_usd_now_and_mints_paxg_at_t0(world):
    pid, q = _quote(world)
    paxg, usd = _paxg_usd(world, pid)
    done = world.api.ok("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    assert_valid("CreateIssuerQuoteExecution", done)
    assert _paxg_usd(world, pid) == (paxg, usd - Decimal(q["quote_amount"]))
    listed = world.api.ok("GET", "/issuer-quotes")
    assert_valid("ListIssuerQuoteExecutions", listed)
    (item,) = listed["issuer_quote_executions"]
    assert (item["id"], item["status"], item["ref_id"]) == (done["id"], "PENDING", q["quote_id"])
    assert item["token_principal"] == "1.49625"
    world.emu.advance(1)
    assert _paxg_usd(world, pid) == (paxg + Decimal("1.49625"), usd - Decimal(q["quote_amount"]))
    assert world.api.ok("GET", "/issuer-quotes")["issuer_quote_executions"][0]["status"] == (
        "COMPLETE"
    )
    assert all(line["difference"] == 0 for line in world.ledger.audit().values())


def test_sell_redeems_paxg_now_and_pays_usd_at_t_plus_1(world):
    pid, q = _quote(world, "SELL", "2")
    assert Decimal(q["quote_amount"]) == (Decimal(q["price"]) * Decimal("1.995")).quantize(
        Decimal("0.01"), rounding="ROUND_FLOOR"
    )
    paxg, usd = _paxg_usd(world, pid)
    world.api.ok("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    (item,) = world.api.ok("GET", "/issuer-quotes")["issuer_quote_executions"]
    assert item["token_principal"] == "-1.995"
    assert _paxg_usd(world, pid) == (paxg - 2, usd)
    world.emu.advance(3600)
    assert world.api.ok("GET", "/issuer-quotes", status=["PENDING"])["issuer_quote_executions"]
    world.emu.advance(24 * 3600)
    assert _paxg_usd(world, pid) == (paxg - 2, usd + Decimal(q["quote_amount"]))
    assert all(line["difference"] == 0 for line in world.ledger.audit().values())


def test_expired_executed_and_wrong_inputs(world):
    pid, q = _quote(world)
    world.emu.advance(6)
    status, problem = world.api.call("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    assert (status, problem["detail"]) == (403, "expired")
    _, q = _quote(world)
    world.api.ok("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    assert world.api.call("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})[0] == 409
    assert world.api.call("POST", "/issuer-quote/nope", {"profile_id": pid})[0] == 404
    for change, words in [
        ({"market": "BTCUSD"}, "PAXGUSD only"),
        ({"side": "HOLD"}, "side invalid"),
        ({"base_amount": "0"}, "base_amount invalid"),
        ({"base_amount": "0.000000001"}, "max precision"),
    ]:
        body = {"profile_id": pid, "market": "PAXGUSD", "side": "BUY", "base_amount": "1", **change}
        status, problem = world.api.call("POST", "/issuer-quote", body)
        assert status == 400, (change, problem)
        assert words in problem["detail"], (change, problem)


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        ("2026-07-01T09:30:00Z", True),  # Wednesday 05:30 in New York
        ("2026-07-01T21:30:00Z", False),  # 17:30: the daily pause
        ("2026-07-03T20:59:00Z", True),  # Friday 16:59
        ("2026-07-03T21:00:00Z", False),  # Friday 17:00: closed for the weekend
        ("2026-07-05T21:59:00Z", False),  # Sunday 17:59
        ("2026-07-05T22:00:00Z", True),  # Sunday 18:00
    ],
)
def test_the_london_gold_market_hours(instant, open_):
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(timezone.utc)
    assert gold_market_open(moment) is open_


def test_availability_shrinks_with_buys_and_is_zero_when_closed(world):
    got = world.api.ok("GET", "/issuer-quote/settlement-availability", market="PAXGUSD")
    assert_valid("GetIssuerQuoteSettlementAvailability", got)
    assert (got["market"], got["sell_quantity"], got["snapshot_at"]) == (
        "PAXGUSD",
        "0.000",
        "2026-07-01T09:30:00Z",
    )
    before = Decimal(got["buy_quantity"])
    assert before > 0
    assert len(got["buy_quantity"].split(".")[1]) == 3
    pid, q = _quote(world, amount="2")
    world.api.ok("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    after = world.api.ok("GET", "/issuer-quote/settlement-availability")
    assert Decimal(after["buy_quantity"]) == before - 2
    world.clock.advance(12 * 3600)  # 17:30 in New York
    closed = world.api.ok("GET", "/issuer-quote/settlement-availability")
    assert closed["buy_quantity"] == "0.000"
    status, problem = world.api.call(
        "POST", "/issuer-quote",
        {"profile_id": pid, "market": "PAXGUSD", "side": "BUY", "base_amount": "1"},
    )  # fmt: skip
    assert status == 400
    assert "gold market is closed" in problem["detail"]
    status, problem = world.api.call("GET", "/issuer-quote/settlement-availability", market="X")
    assert status == 400


def test_session_frame_types_the_list(world):
    pid, q = _quote(world)
    world.api.ok("POST", f"/issuer-quote/{q['quote_id']}", {"profile_id": pid})
    scope = "exchange:read_issuer_quote_execution"
    client = world.emu.add_client(scopes=[scope])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=[scope], current=False) as session:
        frame = session.frame("/issuer-quotes")
    assert len(frame) == 1
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["token_principal"].iloc[0] == Decimal("1.49625")


@pytest.mark.parametrize(
    "operation_id",
    ["CreateIssuerQuote", "CreateIssuerQuoteExecution", "ListIssuerQuoteExecutions",
     "GetIssuerQuoteSettlementAvailability"],
)  # fmt: skip
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    pid = direct.ledger.default_profile_id
    body = {"profile_id": pid, "market": "PAXGUSD", "side": "BUY", "base_amount": "1"}
    status, q = direct("POST", "/v2/issuer-quote", body)
    assert status == 200, q
    no_server_errors(
        direct, operation_id, path_values={"quote_id": st.sampled_from([q["quote_id"], "nope"])}
    )
