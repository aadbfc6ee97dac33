"""records_to_frame: realistic Paxos records -> flattened, typed, exact DataFrames (no HTTP)."""

from __future__ import annotations

import json
import logging
import random
import uuid
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paxos_nb.errors import ConfigError
from paxos_nb.frames import NIL_UUID, as_float, records_to_frame

UTC_NS = pd.DatetimeTZDtype("ns", "UTC")


def transfers() -> list[dict]:
    """Transfer records shaped like GET /transfer/transfers items (API brief §10.5)."""
    base = {
        "customer_id": "c6a1c0f4-5b8e-4c1d-9d2e-0f7a1b2c3d4e",
        "profile_id": "3f2a9c1e-0b7d-4c55-9a11-5e0d2b6c7f80",
        "identity_id": NIL_UUID,
        "account_id": NIL_UUID,
    }
    return [
        {
            "id": "0b6c5d7e-1111-4a2b-8c3d-000000000001",
            **base,
            "ref_id": "dep-1",
            "amount": "0.00100223",
            "total": "0.00100223",
            "fee": "0",
            "asset": "BTC",
            "balance_asset": "BTC",
            "direction": "CREDIT",
            "type": "CRYPTO_DEPOSIT",
            "status": "COMPLETED",
            "created_at": "2024-03-01T12:00:08Z",
            "updated_at": "2024-03-01T12:05:09.737Z",
            "crypto_network": "BITCOIN",
            "crypto_tx_hash": "a1b2c3",
            "crypto_tx_index": 0,
            "metadata": {"customer": "alice", "note": "first"},
            "notional_value": "",
        },
        {
            "id": "0b6c5d7e-1111-4a2b-8c3d-000000000002",
            **base,
            "identity_id": "9e8d7c6b-2222-4a2b-8c3d-000000000099",
            "amount": "1510.23",
            "total": "1510.48",
            "fee": ".25",
            "asset": "USD",
            "direction": "DEBIT",
            "type": "WIRE_WITHDRAWAL",
            "status": "PENDING",
            "created_at": "2024-03-02T08:30:00.294528Z",
            "updated_at": "2024-03-02T08:30:00.294528Z",
            "secondary_status": {"name": "PENDING_CUSTOMER_APPROVAL", "detail": "awaiting"},
            "fiat_account_id": "f1a2b3c4-3333-4a2b-8c3d-000000000003",
            "memo": "",
        },
        {
            "id": "0b6c5d7e-1111-4a2b-8c3d-000000000003",
            **base,
            "amount": "250.00",
            "total": "250.00",
            "fee": "0.00",
            "asset": "PYUSD",
            "balance_asset": "USD",
            "direction": "CREDIT",
            "type": "RTP_DEPOSIT",  # 2026-02 addition, absent from the spec's enum
            "status": "COMPLETED",
            "created_at": "2024-03-03T00:00:00.5Z",
            "updated_at": "2024-03-03T00:00:01Z",
            "auto_conversion": {
                "from_transfer_id": "0b6c5d7e-1111-4a2b-8c3d-0000000000aa",
                "to_transfer_id": "0b6c5d7e-1111-4a2b-8c3d-0000000000bb",
            },
            "group_id": "77777777-4444-4a2b-8c3d-000000000007",
            "travel_rule": {"originator": {"name": "Bob"}, "flags": ["x", "y"]},  # unknown
            "status_details": {},
            "metadata": {},
        },
    ]


def order_book() -> dict:
    return {
        "market": "BTCUSD",
        "asks": [
            {"price": "64001.25", "amount": "0.5"},
            {"price": "64002.00", "amount": "1.00000001"},
        ],
        "bids": [
            {"price": "64000.75", "amount": "0.25"},
            {"price": "63999.50", "amount": "3"},
        ],
    }


def tickers() -> list[dict]:
    stats = {
        "high": "65000.00",
        "low": "63000.5",
        "open": "64000",
        "volume": "123.45678901",
        "volume_weighted_average_price": "64123.12345678",
        "range": {"begin": "2024-03-01T00:00:00Z", "end": "2024-03-02T00:00:00Z"},
    }
    return [
        {
            "market": "BTCUSD",
            "best_bid": {"price": "64000.75", "amount": "0.25"},
            "best_ask": {"price": "64001.25", "amount": "0.5"},
            "last_execution": {"price": "64001", "amount": "0.01"},
            "last_day": stats,
            "today": stats,
            "snapshot_at": "2024-03-01T12:00:00.123456Z",
        },
        {
            "market": "ETHUSD",
            "best_bid": {"price": "3100.1", "amount": "2"},
            "best_ask": {"price": "3100.2", "amount": "1.5"},
            "last_execution": {"price": "3100.15", "amount": "0.3"},
            "last_day": stats,
            "today": stats,
            "snapshot_at": "2024-03-01T12:00:00Z",
        },
    ]


def decimal_sum(records: list[dict], key: str) -> Decimal:
    return sum((Decimal(r[key]) for r in records if r.get(key)), Decimal(0))


# -- transfers ---------------------------------------------------------------------------------


def test_transfers_typed_and_exact():
    records = transfers()
    df = records_to_frame(records)
    assert len(df) == 3
    assert df.columns[0] == "id"
    assert df["id"].tolist() == [r["id"] for r in records]
    for col in ("amount", "total", "fee"):
        assert df[col].dtype == object
        assert all(isinstance(v, Decimal) for v in df[col])
        total = df[col].sum()
        assert isinstance(total, Decimal)
        assert total == decimal_sum(records, col)
    assert df["amount"].sum() == Decimal("1760.23100223")
    assert df.loc[1, "fee"] == Decimal("0.25")  # ".25": the leading zero may be missing
    assert str(df.loc[2, "amount"]) == "250.00"  # trailing zeros kept as sent


def test_transfer_timestamps_are_utc_nanoseconds_with_any_fraction():
    df = records_to_frame(transfers())
    assert df["created_at"].dtype == UTC_NS
    assert df["updated_at"].dtype == UTC_NS
    assert df["created_at"].tolist() == [
        pd.Timestamp("2024-03-01T12:00:08Z"),
        pd.Timestamp("2024-03-02T08:30:00.294528Z"),
        pd.Timestamp("2024-03-03T00:00:00.500Z"),
    ]
    assert df.loc[0, "updated_at"] == pd.Timestamp("2024-03-01T12:05:09.737Z")


def test_transfer_nested_objects_become_dotted_columns():
    df = records_to_frame(transfers())
    assert df.loc[1, "secondary_status.name"] == "PENDING_CUSTOMER_APPROVAL"
    assert df.loc[1, "secondary_status.detail"] == "awaiting"
    assert pd.isna(df.loc[0, "secondary_status.name"])
    assert df.loc[2, "auto_conversion.from_transfer_id"].endswith("0000000000aa")
    assert df.loc[2, "auto_conversion.to_transfer_id"].endswith("0000000000bb")
    assert pd.isna(df.loc[0, "auto_conversion.to_transfer_id"])
    assert "secondary_status" not in df.columns
    assert "status_details" not in df.columns  # empty in every record: no column (json_normalize)
    # Column order: first-seen, each nested object expanded in its place.
    cols = list(df.columns)
    assert cols.index("secondary_status.name") == cols.index("secondary_status.detail") - 1
    assert cols.index("fee") < cols.index("secondary_status.name") < cols.index("group_id")


def test_metadata_stays_a_dict_column():
    df = records_to_frame(transfers())
    assert df.loc[0, "metadata"] == {"customer": "alice", "note": "first"}
    assert df.loc[1, "metadata"] is None  # absent
    assert df.loc[2, "metadata"] == {}
    assert "metadata.customer" not in df.columns


def test_blanks_and_nil_uuid_are_missing_and_ids_stay_strings():
    df = records_to_frame(transfers())
    assert df["account_id"].isna().all()  # the nil UUID in every record
    assert pd.isna(df.loc[0, "identity_id"])
    assert df.loc[1, "identity_id"] == "9e8d7c6b-2222-4a2b-8c3d-000000000099"
    assert df["notional_value"].isna().all()  # "" for unset amounts
    assert df["memo"].isna().all()
    assert pd.api.types.is_string_dtype(df["id"])
    assert pd.api.types.is_string_dtype(df["profile_id"])
    assert df.loc[0, "ref_id"] == "dep-1"


def test_enums_are_non_strict_categoricals_and_new_values_pass():
    df = records_to_frame(transfers())
    for col in ("status", "type", "direction", "asset", "secondary_status.name"):
        assert isinstance(df[col].dtype, pd.CategoricalDtype), col
        assert not df[col].dtype.ordered
    assert list(df["type"].cat.categories) == ["CRYPTO_DEPOSIT", "RTP_DEPOSIT", "WIRE_WITHDRAWAL"]
    assert df.loc[2, "type"] == "RTP_DEPOSIT"
    # A later page with other values joins without error.
    more = records_to_frame([{**transfers()[0], "status": "A_BRAND_NEW_STATUS"}])
    joined = pd.concat([df, more], ignore_index=True)
    assert joined["status"].tolist()[-1] == "A_BRAND_NEW_STATUS"


def test_unknown_fields_pass_through():
    df = records_to_frame(transfers())
    assert df.loc[2, "travel_rule.originator.name"] == "Bob"
    assert df.loc[2, "travel_rule.flags"] == ["x", "y"]  # lists stay objects
    assert df.loc[2, "group_id"] == "77777777-4444-4a2b-8c3d-000000000007"
    assert df.loc[0, "crypto_tx_hash"] == "a1b2c3"


def test_integers_with_gaps_stay_integers():
    df = records_to_frame(transfers())
    assert str(df["crypto_tx_index"].dtype) == "Int64"
    assert df.loc[0, "crypto_tx_index"] == 0
    assert pd.isna(df.loc[1, "crypto_tx_index"])
    flags = records_to_frame([{"b": True}, {"b": None}, {"b": False}])
    assert str(flags["b"].dtype) == "boolean"
    whole = records_to_frame([{"n": 1}, {"n": 2**40}])
    assert whole["n"].dtype == np.int64
    huge = records_to_frame([{"n": 2**70}, {"n": None}, {"m": 1}])
    assert huge.loc[0, "n"] == 2**70  # beyond int64: the Python int, unchanged


def test_same_columns_as_json_normalize():
    records = [{k: v for k, v in r.items() if k != "metadata"} for r in transfers()]
    ours = records_to_frame(records, amounts="string")
    theirs = pd.json_normalize(records)
    assert set(ours.columns) == set(theirs.columns)
    for col in ("secondary_status.name", "auto_conversion.from_transfer_id", "amount"):
        assert [None if pd.isna(v) else str(v) for v in ours[col]] == [
            None if pd.isna(v) or v == "" else str(v) for v in theirs[col]
        ]


# -- other record shapes -------------------------------------------------------------------


def test_order_book_levels():
    book = order_book()
    asks = records_to_frame(book["asks"])
    bids = records_to_frame(book["bids"])
    assert list(asks.columns) == ["price", "amount"]
    assert asks["amount"].sum() == Decimal("1.50000001")
    assert bids["amount"].sum() == decimal_sum(book["bids"], "amount")
    assert bids["price"].max() == Decimal("64000.75")
    notional = (asks["price"] * asks["amount"]).sum()
    assert notional == Decimal("32000.625") + Decimal("64002.00064002")


def test_tickers_with_nested_best_bid_and_stats():
    records = tickers()
    df = records_to_frame(records)
    assert df.loc[0, "best_bid.price"] == Decimal("64000.75")
    assert df["best_ask.amount"].sum() == Decimal("2.0")
    assert df.loc[1, "last_day.volume_weighted_average_price"] == Decimal("64123.12345678")
    for col in ("last_day.high", "last_day.low", "last_day.open", "today.volume"):
        assert isinstance(df.loc[0, col], Decimal), col
    assert df["last_day.range.begin"].dtype == UTC_NS
    assert df["snapshot_at"].tolist() == [
        pd.Timestamp("2024-03-01T12:00:00.123456Z"),
        pd.Timestamp("2024-03-01T12:00:00Z"),
    ]
    assert isinstance(df["market"].dtype, pd.CategoricalDtype)


def test_records_that_are_not_objects_become_a_value_column():
    df = records_to_frame(["https://x/1.pdf", "https://x/2.pdf"])
    assert df["value"].tolist() == ["https://x/1.pdf", "https://x/2.pdf"]
    with pytest.raises(ConfigError, match="mix objects"):
        records_to_frame([{"a": 1}, "b"])


def test_generators_are_accepted():
    df = records_to_frame(r for r in order_book()["bids"])
    assert len(df) == 2


# -- options -------------------------------------------------------------------------------


def test_amounts_float_and_string():
    records = transfers()
    floats = records_to_frame(records, amounts="float")
    assert floats["amount"].dtype == np.float64
    assert floats["amount"].tolist()[1] == 1510.23
    assert np.isnan(floats.loc[0, "notional_value"])
    strings = records_to_frame(records, amounts="string")
    assert strings.loc[1, "fee"] == ".25"
    with pytest.raises(ConfigError, match="amounts must be"):
        records_to_frame(records, amounts="double")


def test_float_view_of_a_built_frame():
    df = records_to_frame(transfers())
    assert df.paxos.decimal_columns == ["amount", "total", "fee"]
    view = df.paxos.floats()
    assert view["amount"].dtype == np.float64
    assert view["total"].tolist() == [0.00100223, 1510.48, 250.0]
    assert df["amount"].dtype == object  # the original is untouched
    assert view["status"].equals(df["status"])
    only = as_float(df, ["fee"])
    assert only["fee"].dtype == np.float64
    assert only["amount"].dtype == object


def test_missing_amounts_behave_as_missing():
    df = records_to_frame([{"amount": "1.5"}, {"amount": ""}, {}])
    assert df["amount"].isna().tolist() == [False, True, True]
    assert df["amount"].sum() == Decimal("1.5")
    assert df["amount"].astype(float).isna().sum() == 2
    assert (df["amount"] * 2).iloc[0] == Decimal("3.0")


def test_columns_selects_and_orders():
    df = records_to_frame(transfers(), columns=["status", "id", "not_there"])
    assert list(df.columns) == ["status", "id", "not_there"]
    assert df["not_there"].isna().all()


def test_empty_input():
    assert records_to_frame([]).empty
    empty = records_to_frame([], columns=["id", "amount"])
    assert list(empty.columns) == ["id", "amount"]
    assert len(empty) == 0


def test_a_non_numeric_amount_column_is_left_as_sent(caplog):
    with caplog.at_level(logging.WARNING, logger="paxos_nb.frames"):
        df = records_to_frame([{"price": "1.5"}, {"price": "market"}])
    assert df["price"].tolist() == ["1.5", "market"]
    assert "left unconverted" in caplog.text


def test_a_non_timestamp_column_named_like_one_is_left_as_text():
    df = records_to_frame([{"created_at": "yesterday"}, {"created_at": "2024-01-01T00:00:00Z"}])
    assert df["created_at"].tolist() == ["yesterday", "2024-01-01T00:00:00Z"]


def test_json_numbers_in_amount_columns_become_exact_decimals():
    df = records_to_frame([{"amount": 0.1}, {"amount": 2}, {"amount": None}])
    assert df["amount"].tolist()[:2] == [Decimal("0.1"), Decimal("2")]
    assert df["amount"].sum() == Decimal("2.1")


def test_many_records_keep_every_id_once_and_exact_sums():
    rng = random.Random(7)
    records = []
    for i in range(5000):
        rec = {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "amount": f"{rng.randint(0, 10**9)}.{rng.randint(0, 10**8):08d}",
            "fee": rng.choice(["0", "0.01", "", "1.5"]),
            "status": rng.choice(["PENDING", "COMPLETED", "FAILED"]),
            "created_at": f"2024-01-01T00:00:00.{rng.randint(0, 999999):06d}Z",
        }
        if i % 7 == 0:
            rec["secondary_status"] = {"name": "TRAVEL_RULE_REJECTED", "detail": str(i)}
        records.append(rec)
    records = json.loads(json.dumps(records))  # the shapes a JSON parser returns
    df = records_to_frame(records)
    assert df["id"].is_unique
    assert len(df) == 5000
    assert df["amount"].sum() == decimal_sum(records, "amount")
    assert df["fee"].sum() == decimal_sum(records, "fee")
    assert df["secondary_status.detail"].notna().sum() == len(range(0, 5000, 7))
    assert df.loc[7, "secondary_status.detail"] == "7"


def test_zero_amounts_print_as_zero_not_exponent():
    df = records_to_frame([{"amount_filled": "0.00000000"}, {"amount_filled": "1.50000000"}])
    assert [str(v) for v in df["amount_filled"]] == ["0", "1.50000000"]
    assert df["amount_filled"].sum() == Decimal("1.5")
