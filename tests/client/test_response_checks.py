"""Answers that break the spec give a paxos_nb warning naming the operation and the field,
never a silent wrong frame or a KeyError from inside the package (issue 17's client half).
Additive changes (unknown fields, unknown enum values) are tolerated, as Paxos's
compatibility policy says. The answers come from a scripted loopback server."""

from __future__ import annotations

import copy
import warnings

import pytest

from paxos_nb import ResponseWarning, validators
from paxos_nb.config import Credentials
from paxos_nb.session import connect

from .support import Answer, token_answer

TRANSFER = {
    "id": "8c4fd2a6-4f41-4bd7-9b5a-0b4c8f6b2a11",
    "customer_id": "68e40419-7c55-4bb2-b2a5-ed332dc9fcdc",
    "profile_id": "44fc2703-cb94-4a6c-89f0-d0e82966a415",
    "amount": "10.5",
    "total": "10.5",
    "fee": "0",
    "asset": "USD",
    "direction": "CREDIT",
    "type": "WIRE_DEPOSIT",
    "status": "COMPLETED",
    "created_at": "2025-01-02T03:04:05Z",
    "updated_at": "2025-01-02T03:04:05.123456Z",
}


@pytest.fixture
def scripted_session(scripted):
    def open_(*pages):
        scripted.queue(token_answer(scope="transfer:read_transfer"), *pages)
        creds = Credentials(
            "checks-client", "checks-secret-0123", "local", api_url=scripted.url + "/v2"
        )
        return connect(creds, ["transfer:read_transfer"])

    opened = []
    yield lambda *pages: opened.append(open_(*pages)) or opened[-1]
    for session in opened:
        session.close()


def _page(*records, cursor=""):
    return Answer(200, {"items": list(records), "next_page_cursor": cursor})


def test_a_conforming_answer_gives_no_warning(scripted_session):
    session = scripted_session(_page(TRANSFER))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = session.frame("/transfer/transfers")
    assert frame.loc[0, "amount"] == frame.loc[0, "total"]


def test_additive_changes_are_tolerated(scripted_session):
    """A new field and a new enum value (RTP_DEPOSIT came in 2026-02) are not breaks."""
    newer = {**TRANSFER, "type": "RTP_DEPOSIT", "a_field_from_2027": {"x": 1}}
    session = scripted_session(_page(newer))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = session.frame("/transfer/transfers")
    assert frame.loc[0, "type"] == "RTP_DEPOSIT"
    assert "a_field_from_2027.x" in frame.columns


@pytest.mark.parametrize(
    ("broken", "field", "problem"),
    [
        ({"amount": 10.5}, "items[1].amount", "is a number (10.5), not a string"),
        ({"amount": None}, "items[1].amount", "is null, not a string"),
        ("drop created_at", "items[1].created_at", "is missing (required)"),
        (
            {"created_at": "2025-01-02"},
            "items[1].created_at",
            "is a string ('2025-01-02'), not a valid",
        ),
        ({"fee": {"value": "0"}}, "items[1].fee", "is an object, not a string"),
    ],
)
def test_a_break_is_a_warning_naming_the_operation_and_field(
    scripted_session, broken, field, problem
):
    record = copy.deepcopy(TRANSFER)
    if broken == "drop created_at":
        del record["created_at"]
    else:
        record.update(broken)
    session = scripted_session(_page(TRANSFER, record))
    with pytest.warns(ResponseWarning) as caught:
        frame = session.frame("/transfer/transfers")
    warning = caught[0].message
    assert isinstance(warning, ResponseWarning)
    assert (warning.operation, warning.field) == ("ListTransfers", field)
    text = str(warning)
    assert text.startswith(
        f"ListTransfers (GET /transfer/transfers) answered against the Paxos spec: {field} "
    )
    assert f"{field} {problem}" in text
    assert len(frame) == 2  # the answer is still returned as it came


def test_a_list_that_is_not_a_list_is_named_not_an_empty_frame(scripted_session):
    session = scripted_session(Answer(200, {"items": {"oops": TRANSFER}}))
    with pytest.warns(ResponseWarning, match=r"items is an object, not a list"):
        session.frame("/transfer/transfers")


def test_a_broken_page_in_the_middle_of_paging(scripted_session):
    session = scripted_session(
        _page(TRANSFER, cursor="c1"), _page({**TRANSFER, "total": 3}, cursor="c2"), _page()
    )
    with pytest.warns(ResponseWarning, match=r"items\[0\]\.total"):
        frame = session.frame("/transfer/transfers")
    assert len(frame) == 2


def test_one_answer_object_and_a_write(scripted_session):
    session = scripted_session(Answer(200, {"id": "x", "type": "NORMAL", "nickname": 7}))
    with pytest.warns(ResponseWarning, match=r"GetProfile .* nickname is a number"):
        assert session.get("/profiles/default")["nickname"] == 7


def test_validators_are_compiled_once_per_operation():
    first = validators.response_validator("ListTransfers", 200)
    assert validators.response_validator("ListTransfers", 200) is first
    assert validators.response_validator("ListTransfers", 201) is not None  # 2xx: the 200
    assert validators.request_validator("ListTransfers") is None  # a GET has no body
    assert validators.request_validator("CreateInternalTransfer") is not None
