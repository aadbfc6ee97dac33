"""What paxos_nb sends is valid for the operation, checked before any request (issue 15 item 1,
issue 17's client half): unknown parameters name the closest real one, impossible values say
what was expected, bodies are checked against the body schema, and ``validate=False`` sends
what the catalog does not know yet. Also the did-you-mean for a path, and the hints of 400s
(issue 15 item 4)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import pytest

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.errors import BadRequest, InvalidRequest, UnknownNameError

from .support import api_total

READ = ["funding:read_profile", "transfer:read_transfer"]
WRITE = [*READ, "transfer:write_internal_transfer", "exchange:historical_prices"]


@pytest.fixture
def session(open_session):
    opened, _ = open_session(WRITE)
    return opened


@pytest.fixture
def profiles(session):
    return session.frame("/profiles").set_index("nickname")["id"]


# -- the analyst's misspellings: an error before any request, naming the real parameter -------


@pytest.mark.parametrize(
    ("kwargs", "field", "suggested"),
    [
        ({"status": "FAILED"}, "status", "'statuses'"),
        ({"typ": "CRYPTO_DEPOSIT"}, "typ", "'type'"),
        ({"created_at_gte": "2025-01-01T00:00:00Z"}, "created_at_gte", "created_at__gte="),
        ({"max_row": 5}, "max_row", "max_rows= (an argument of frame()"),
        ({"amount": "float"}, "amount", "amounts= (an argument of frame()"),
    ],
)
def test_an_unknown_keyword_names_the_closest_parameter(session, emu, kwargs, field, suggested):
    before = api_total(emu)
    with pytest.raises(InvalidRequest) as info:
        session.frame("/transfer/transfers", **kwargs)
    err = info.value
    assert api_total(emu) == before  # nothing was sent
    assert (err.operation, err.field) == ("ListTransfers", field)
    assert f"has no parameter {field!r}" in err.message
    assert "did you mean" in err.hint
    assert suggested in err.hint
    assert "validate=False" in err.hint  # the way out when the catalog lags Paxos
    assert isinstance(err, ValueError)  # a ConfigError: existing `except ValueError` works


def test_asset_on_balances_suggests_assets(session, profiles, emu):
    before = api_total(emu)
    with pytest.raises(InvalidRequest, match="no parameter 'asset'") as info:
        session.frame(f"/profiles/{profiles['default']}/balances", asset="BTC")
    assert info.value.closest[0] == "assets"
    assert api_total(emu) == before


def test_no_close_name_lists_what_the_operation_takes(session):
    with pytest.raises(InvalidRequest) as info:
        session.get("/transfer/transfers", params={"zzzz": "1"})
    assert "ListTransfers takes: " in info.value.hint
    assert "statuses" in info.value.hint or "more" in info.value.hint


@pytest.mark.parametrize(
    ("params", "message", "hint"),
    [
        ({"statuses": "FAILD"}, "is not one of PENDING, COMPLETED, FAILED", "'FAILED'"),
        ({"type": ["CRYPTO_DEPOSIT", "WIRE_DEPOSITT"]}, "'WIRE_DEPOSITT' is not one", "WIRE"),
        ({"created_at.gte": "2025-01-01"}, "a date without a time", "2025-01-01T00:00:00Z"),
        ({"created_at.gte": "2025-01-01T08:00:00"}, "has no time zone", "Z for UTC"),
        ({"created_at.lt": "yesterday"}, "is not an RFC 3339 timestamp", "2025-01-31T"),
        ({"limit": "ten"}, "is not a whole number", "digits"),
        ({"limit": 2.5}, "is not a whole number", "digits"),
        ({"order": "asc"}, "is not one of DESC, ASC", "'ASC'"),
        ({"limit": [1, 2]}, "takes one value", "whole number"),
    ],
)
def test_an_impossible_value_says_what_was_expected(session, emu, params, message, hint):
    before = api_total(emu)
    with pytest.raises(InvalidRequest) as info:
        session.get("/transfer/transfers", params=params)
    assert message in info.value.message
    assert hint in info.value.hint
    assert api_total(emu) == before


def test_a_wrong_market_in_the_path_is_named(session, emu):
    before = api_total(emu)
    with pytest.raises(InvalidRequest, match="market='BTCUSDX' is not one of") as info:
        session.get("/markets/BTCUSDX/ticker")
    assert "'BTCUSD'" in info.value.hint
    assert len(info.value.message) < 200  # 36 markets are not all listed in the message
    assert api_total(emu) == before


def test_what_paxos_takes_passes(session):
    since = datetime.now(timezone.utc) - timedelta(days=3650)
    got = session.frame(
        "/transfer/transfers",
        type="CRYPTO_DEPOSIT",  # a scalar for an array parameter
        statuses=["COMPLETED", "FAILED"],
        created_at__gte=since,  # a datetime: sent as RFC 3339 UTC
        limit="50",  # text that is a whole number (%paxos and the CLI send text)
        order="ASC",
        max_rows=5,
    )
    assert len(got) == 5
    assert set(got["type"]) == {"CRYPTO_DEPOSIT"}
    naive = session.get("/transfer/transfers", params={"created_at.lt": datetime(2030, 1, 1)})
    assert naive["items"]
    assert session.get("/transfer/transfers?limit=1")["items"]


def test_a_query_written_into_the_path_is_checked_too(session):
    with pytest.raises(InvalidRequest, match="no parameter 'status'"):
        session.get("/transfer/transfers?status=FAILED")


def test_validate_false_sends_what_the_catalog_does_not_know(session, emu):
    # A transfer type newer than the catalog (made up here; RTP_DEPOSIT, added to the docs
    # after the published spec, is in the catalog now).
    with pytest.raises(InvalidRequest, match="FEDNOW_DEPOSIT"):
        session.get("/transfer/transfers", params={"type": "FEDNOW_DEPOSIT"})
    before = api_total(emu)
    with contextlib.suppress(BadRequest):  # the emulator follows the spec: it was asked
        session.get("/transfer/transfers", params={"type": "FEDNOW_DEPOSIT"}, validate=False)
    assert api_total(emu) == before + 1
    # Sent: the emulator's own request validation answers, naming the parameter (a real
    # Paxos most likely ignores it; docs/emulator.md, choices where Paxos is silent).
    before = api_total(emu)
    with pytest.raises(BadRequest, match="query parameter status is not a parameter"):
        session.frame("/transfer/transfers", status="FAILED", max_rows=3, validate=False)
    assert api_total(emu) > before
    session.validate = False  # the session-wide switch
    try:
        with pytest.raises(BadRequest, match="query parameter bogus is not a parameter"):
            session.frame("/transfer/transfers", bogus="x", max_rows=1)
    finally:
        session.validate = True


def test_every_parameter_the_pager_adds_is_declared():
    """Paging must pass its own checks: page_cursor, pagination.offset, created_at.gt."""
    added = {
        "cursor-time-filters": {"page_cursor"},
        "cursor-range": {"page_cursor"},
        "cursor": {"page_cursor"},
        "offset": {"pagination.offset"},
        "time-window": {"created_at.gt"},
    }
    checked = 0
    for op in catalog.operations():
        if op.pagination is None:
            continue
        declared = set(schemas.for_operation(op.operation_id).query)
        assert added[op.pagination] <= declared, op.operation_id
        checked += 1
    assert checked >= 25


def test_paging_through_every_page_passes_the_checks(session):
    prices = session.frame(  # offset paging: pagination.offset added on every page
        "/markets/BTCUSD/historical-prices", params={"pagination.limit": 50}, increment="ONE_HOUR"
    )
    assert len(prices) > 50
    frame = session.frame("/transfer/transfers", limit=100)  # 27 pages, each one checked
    assert len(frame) > 2000


# -- bodies ----------------------------------------------------------------------------------


def test_a_valid_body_passes(session, profiles):
    created = session.post(
        "/transfer/internal",
        json={
            "amount": "1.5",
            "asset": "USD",
            "from_profile_id": profiles["default"],
            "to_profile_id": profiles["treasury"],
            "metadata": {"purpose": "test"},
        },
    )
    assert created["amount"] == "1.5"


@pytest.mark.parametrize(
    ("change", "field", "message", "hint"),
    [
        ({"amount": None}, "amount", "is missing (required)", "add 'amount'"),
        ({"amount": 10.5}, "amount", "is a number (10.5), not a string", '"10.50"'),
        ({"metadata": {"k": 1}}, "metadata.k", "is a number (1), not a string", "string"),
        ({"ref_Id": "r-1"}, "ref_Id", "is not a field of this body", "'ref_id'"),
        ({"ammount": "1"}, "ammount", "is not a field of this body", "'amount'"),
    ],
)
def test_a_body_that_breaks_its_schema_names_the_field(
    session, profiles, emu, change, field, message, hint
):
    body = {
        "amount": "1",
        "asset": "USD",
        "from_profile_id": profiles["default"],
        "to_profile_id": profiles["treasury"],
    }
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = api_total(emu)
    with pytest.raises(InvalidRequest) as info:
        session.post("/transfer/internal", json=body)
    err = info.value
    assert err.field == field
    assert message in err.message
    assert hint in err.hint
    assert api_total(emu) == before


def test_an_unknown_enum_in_a_body_is_named(session, emu):
    body = {"profile_id": "default", "crypto_network": "ETH", "ref_id": "chk-1"}
    with pytest.raises(InvalidRequest) as info:
        session.post("/transfer/deposit-addresses", json=body)
    assert info.value.field == "crypto_network"
    assert "'ETH', not one of" in info.value.message
    assert "ETHEREUM" in info.value.message


def test_a_required_body_that_is_missing(session):
    with pytest.raises(InvalidRequest, match="needs a JSON body"):
        session.post("/transfer/internal")


def test_unknown_fields_that_are_not_typos_pass(session, profiles):
    """Paxos adds fields; only one a letter or two off a documented one is refused."""
    created = session.post(
        "/transfer/internal",
        json={
            "amount": "1",
            "asset": "USD",
            "from_profile_id": profiles["default"],
            "to_profile_id": profiles["treasury"],
            "a_field_from_2027": "x",
        },
    )
    assert created["status"]


# -- paths (item 4) ----------------------------------------------------------------------------


def test_a_path_typo_names_the_closest_operation(session, emu):
    before = api_total(emu)
    with pytest.raises(UnknownNameError) as info:
        session.frame("/transfer/transfer")
    assert "'GET /transfer/transfers'" in info.value.hint
    assert "validate=False" in info.value.hint
    assert api_total(emu) == before
    with pytest.raises(UnknownNameError, match="POST"):
        session.post("/transfer/transfers", json={})


def test_a_bad_request_answer_says_what_to_do(session):
    with pytest.raises(BadRequest) as info:  # the spec gives no maximum: the server says it
        session.get("/transfer/transfers", params={"limit": 5000})
    assert "max_rows=" in info.value.hint
    assert "at most 1000" in info.value.hint
    with pytest.raises(BadRequest) as info:
        session.get("/transfer/transfers", params={"created_at.gte": "2025-01-01"}, validate=False)
    assert "2025-01-31T00:00:00Z" in info.value.hint
    with pytest.raises(BadRequest) as info:
        session.get("/transfer/transfers", params={"page_cursor": "%%%not-a-cursor"})
    assert "next_page_cursor" in info.value.hint
