"""An empty list is a frame with the columns the spec documents, not 0 x 0 (issue 15 item 8):
code that selects ``df["amount"]`` or filters on ``status`` works when nothing matched."""

from __future__ import annotations

import pandas as pd
import pytest

from paxos_nb import catalog
from paxos_nb.record_schema import documented_columns, empty_frame

READ = ["funding:read_profile", "transfer:read_transfer"]


def test_no_transfers_matched_gives_the_documented_columns(open_session):
    session, _ = open_session(READ)
    empty = session.frame("/transfer/transfers", ref_ids=["no-such-ref-id"])
    full = session.frame("/transfer/transfers", max_rows=50)
    assert empty.shape[0] == 0
    assert {"id", "amount", "status", "created_at", "profile_id"} <= set(empty.columns)
    assert set(full.columns) <= set(empty.columns)  # every column a record can bring
    assert empty.columns[0] == "id"
    assert str(empty["created_at"].dtype) == "datetime64[ns, UTC]"
    assert empty[empty["status"] == "FAILED"].empty  # filtering works on nothing
    assert empty["amount"].sum() == 0
    floats = session.frame("/transfer/transfers", ref_ids=["no-such"], amounts="float")
    assert floats["amount"].dtype == "float64"


@pytest.mark.parametrize(
    ("operation_id", "expected"),
    [
        ("ListProfiles", {"id", "nickname", "type"}),
        ("ListProfileBalances", {"asset", "available", "trading"}),
        ("ListOrders", {"id", "market", "side", "status", "amount_filled"}),
        ("GetOrderBook", {"side", "price", "amount"}),
    ],
)
def test_documented_columns(operation_id, expected):
    assert expected <= set(documented_columns(operation_id))


def test_every_list_operation_has_columns_or_says_it_has_none():
    for op in catalog.operations():
        if op.method == "GET" and op.envelope:
            frame = empty_frame(op.operation_id)
            assert isinstance(frame, pd.DataFrame)
            assert len(frame) == 0
