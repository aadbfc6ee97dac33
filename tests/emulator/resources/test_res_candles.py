"""Historical candles (newer than the spec copy): OHLCV of the price walk, newest first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import strategies as st
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.emulator.candles import CANDLE_MARKETS
from paxos_nb.session import connect

PATH = "/markets/BTCUSD/historical-candles"


def test_candles_are_newest_first_and_consistent(world):
    got = world.api.ok(
        "GET", PATH, increment="ONE_HOUR",
        **{"range.begin": "2026-07-01T00:00:00Z", "range.end": "2026-07-01T09:00:00Z"},
    )  # fmt: skip
    assert_valid("ListHistoricalCandles", got)
    assert (got["market"], got["increment"]) == ("BTCUSD", "ONE_HOUR")
    stamps = [c["timestamp"] for c in got["items"]]
    assert stamps[0] == "2026-07-01T09:00:00Z"
    assert stamps[-1] == "2026-07-01T00:00:00Z"
    assert len(stamps) == 10
    for candle in got["items"]:
        o, h, lo, c = (Decimal(candle[k]) for k in ("open", "high", "low", "close"))
        assert lo <= min(o, c) <= max(o, c) <= h
        assert Decimal(candle["volume"]) > 0
    # each candle closes where the next one opens (the same walk)
    for newer, older in zip(got["items"], got["items"][1:], strict=False):
        assert newer["open"] == older["close"]


def test_paging_max_data_points_and_defaults(world):
    first = world.api.ok("GET", PATH, increment="ONE_DAY", limit=50)
    assert len(first["items"]) == 50
    assert first["items"][0]["timestamp"] == "2026-07-01T00:00:00Z"  # the open candle
    rest = world.api.ok(
        "GET", PATH, increment="ONE_DAY", limit=1000, page_cursor=first["next_page_cursor"]
    )
    assert "next_page_cursor" not in rest
    assert len(first["items"]) + len(rest["items"]) in (183, 184)  # six months of days
    assert rest["items"][0]["timestamp"] < first["items"][-1]["timestamp"]
    picked = world.api.ok(
        "GET", PATH, max_data_points=30,
        **{"range.begin": "2026-06-30T00:00:00Z", "range.end": "2026-07-01T00:00:00Z"},
    )  # fmt: skip
    assert picked["increment"] == "ONE_HOUR"  # 25 candles; half-hours would be 49
    assert len(picked["items"]) <= 30


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        (PATH, {}, "exactly one of increment or max_data_points"),
        (PATH, {"increment": "ONE_HOUR", "max_data_points": 5}, "exactly one"),
        (PATH, {"increment": "HOURLY"}, "increment invalid"),
        ("/markets/PEPEUSD/historical-candles", {"increment": "ONE_DAY"}, "not available yet"),
        (PATH, {"increment": "ONE_DAY", "range.begin": "2026-07-01T00:00:00Z",
                "range.end": "2026-06-01T00:00:00Z"}, "range.end must not be before"),
    ],
)  # fmt: skip
def test_errors_name_the_parameter(world, path, params, words):
    status, problem = world.api.call("GET", path, **params)
    assert status == 400
    assert words in problem["detail"]


def test_the_docs_fifty_one_markets():
    assert len(CANDLE_MARKETS) == 51
    assert "MATICUSD" not in CANDLE_MARKETS
    assert "WLDUSD" in CANDLE_MARKETS


def test_session_frame_types_the_list(world):
    scope = "exchange:historical_prices"
    client = world.emu.add_client(scopes=[scope])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=[scope], current=False) as session:
        frame = session.frame(PATH, increment="ONE_DAY", limit=100)
    assert len(frame) in (183, 184)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(frame["close"].iloc[0], Decimal)


def test_generated_inputs_never_give_a_server_error(direct):
    no_server_errors(
        direct, "ListHistoricalCandles",
        path_values={"market": st.sampled_from(["BTCUSD", "PEPEUSD", "ETHEUR", "x"])},
    )  # fmt: skip


def test_an_unknown_market_is_not_found(world):
    # Request validation answers first: a path value outside the catalog's enum is a 404.
    status, problem = world.api.call(
        "GET", "/markets/MATICUSD/historical-candles", increment="ONE_DAY"
    )
    assert status == 404
    assert "market" in problem["detail"]


def test_no_candles_before_the_epoch(world):
    # Found by the fuzz campaign: an end in year 1000 gave candles dated '999-12-31T...'.
    body = world.api.ok("GET", PATH, increment="ONE_DAY", **{"range.end": "1000-01-01T00:00:00Z"})
    assert [c["timestamp"] for c in body["items"]] in ([], ["1970-01-01T00:00:00Z"])
