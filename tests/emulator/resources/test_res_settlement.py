"""Settlement transactions: the window, the status machine, the ledger effects, the answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import strategies as st
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.session import connect

PATH = "/settlement/transactions"


def _ids(world) -> tuple[str, str]:
    return world.profile_id("default"), world.profile_id("treasury")


def _create(world, ref="t-1", legs=None, **window):
    source, target = _ids(world)
    body = {
        "ref_id": ref,
        "source_profile_id": source,
        "target_profile_id": target,
        "legs": legs
        or [
            {"direction": "DELIVER", "asset": "USD", "amount": "100"},
            {"direction": "RECEIVE", "asset": "BTC", "amount": "0.01"},
        ],
        **window,
    }
    status, got = world.api.call("POST", PATH, body)
    assert status == 200, got
    assert_valid("CreateTransaction", got)
    return got


def _balance(world, pid: str, asset: str) -> Decimal:
    return world.ledger.balances.pair(pid, asset)[0]


def test_create_is_pending_with_a_24h_window_and_moves_nothing(world):
    source, _ = _ids(world)
    before = _balance(world, source, "USD")
    t = _create(world)
    assert t["status"] == "PENDING"
    assert (t["settlement_window_start"], t["settlement_window_end"]) == (
        "2026-07-01T09:30:00Z",
        "2026-07-02T09:30:00Z",
    )
    assert [leg["direction"] for leg in t["legs"]] == ["DELIVER", "RECEIVE"]
    assert _balance(world, source, "USD") == before
    got = world.api.ok("GET", f"{PATH}/{t['id']}")
    assert_valid("GetTransaction", got)
    assert got == t


def test_affirmed_settles_atomically_moving_every_leg(world):
    source, target = _ids(world)
    usd = (_balance(world, source, "USD"), _balance(world, target, "USD"))
    btc = (_balance(world, source, "BTC"), _balance(world, target, "BTC"))
    t = _create(world)
    affirmed = world.api.ok("PUT", f"{PATH}/{t['id']}/affirm")
    assert_valid("AffirmTransaction", affirmed)
    assert affirmed["status"] == "AFFIRMED"
    world.emu.advance(1)
    settled = world.api.ok("GET", f"{PATH}/{t['id']}")
    assert settled["status"] == "SETTLED"
    assert _balance(world, source, "USD") == usd[0] - 100
    assert _balance(world, target, "USD") == usd[1] + 100
    assert _balance(world, source, "BTC") == btc[0] + Decimal("0.01")
    assert _balance(world, target, "BTC") == btc[1] - Decimal("0.01")
    assert all(line["difference"] == 0 for line in world.ledger.audit().values())


def test_unfunded_waits_then_expires_at_the_window_end(world):
    t = _create(world, legs=[{"direction": "DELIVER", "asset": "USD", "amount": "99000000"}])
    world.api.ok("PUT", f"{PATH}/{t['id']}/affirm")
    world.emu.advance(3600)
    assert world.api.ok("GET", f"{PATH}/{t['id']}")["status"] == "AFFIRMED"
    world.emu.advance(24 * 3600)
    expired = world.api.ok("GET", f"{PATH}/{t['id']}")
    assert expired["status"] == "EXPIRED"
    assert expired["updated_at"] == "2026-07-02T09:30:00Z"  # at the window's end exactly


def test_a_future_window_settles_only_once_it_opens(world):
    t = _create(
        world,
        settlement_window_start="2026-07-01T12:00:00Z",
        settlement_window_end="2026-07-01T13:00:00Z",
    )
    world.api.ok("PUT", f"{PATH}/{t['id']}/affirm")
    world.emu.advance(3600)
    assert world.api.ok("GET", f"{PATH}/{t['id']}")["status"] == "AFFIRMED"
    world.emu.advance(3 * 3600)
    assert world.api.ok("GET", f"{PATH}/{t['id']}")["status"] == "SETTLED"


def test_pending_expires_and_cancel_rules(world):
    t = _create(world)
    cancelled = world.api.ok("DELETE", f"{PATH}/{t['id']}")
    assert_valid("CancelTransaction", cancelled)
    assert cancelled["status"] == "CANCELLED"
    status, problem = world.api.call("DELETE", f"{PATH}/{t['id']}")
    assert (status, problem["detail"]) == (
        409,
        "transaction is CANCELLED and can no longer be cancelled",
    )
    assert world.api.call("PUT", f"{PATH}/{t['id']}/affirm")[0] == 400
    other = _create(world, ref="t-2")
    world.api.ok("PUT", f"{PATH}/{other['id']}/affirm")
    assert world.api.call("DELETE", f"{PATH}/{other['id']}")[0] == 409  # AFFIRMED: too late
    late = _create(world, ref="t-3")
    world.emu.advance(24 * 3600)
    assert world.api.ok("GET", f"{PATH}/{late['id']}")["status"] == "EXPIRED"


def test_errors_name_the_problem(world):
    source, target = _ids(world)
    _create(world, ref="dup")
    status, problem = world.api.call(
        "POST", PATH, {"ref_id": "dup", "source_profile_id": source, "target_profile_id": target,
                       "legs": [{"direction": "DELIVER", "asset": "USD", "amount": "1"}]},
    )  # fmt: skip
    assert (status, problem["title"]) == (409, "Conflict")
    bad = [
        ({"legs": []}, "legs is required"),
        ({"legs": [{"direction": "SEND", "asset": "USD", "amount": "1"}]}, "legs[0].direction"),
        ({"legs": [{"direction": "DELIVER", "asset": "XYZ", "amount": "1"}]}, "legs[0].asset"),
        ({"legs": [{"direction": "DELIVER", "asset": "USD", "amount": "-1"}]}, "legs[0].amount"),
        ({"target_profile_id": source}, "must differ"),
        ({"settlement_window_end": "2026-07-01T09:00:00Z"}, "settlement_window_end"),
        ({"settlement_window_start": "tomorrow"}, "settlement_window_start invalid"),
    ]
    for change, words in bad:
        leg = {"direction": "DELIVER", "asset": "USD", "amount": "1"}
        body = {"ref_id": "x", "source_profile_id": source, "target_profile_id": target,
                "legs": [leg], **change}  # fmt: skip
        status, problem = world.api.call("POST", PATH, body)
        assert status == 400, (change, problem)
        assert words in problem["detail"], (change, problem)
    assert world.api.call("GET", f"{PATH}/nope")[0] == 404


def test_list_filters_pages_and_validates(world):
    first, second = _create(world, ref="a"), _create(world, ref="b")
    world.api.ok("PUT", f"{PATH}/{second['id']}/affirm")
    page = world.api.ok("GET", PATH, limit=1)
    assert_valid("ListTransactions", page)
    assert [t["id"] for t in page["items"]] == [second["id"]]  # newest first
    rest = world.api.ok("GET", PATH, limit=1, page_cursor=page["next_page_cursor"])
    assert [t["id"] for t in rest["items"]] == [first["id"]]
    assert "next_page_cursor" not in rest
    pending = world.api.ok("GET", PATH, statuses=["PENDING", "CANCELLED"])["items"]
    assert [t["id"] for t in pending] == [first["id"]]
    assert world.api.call("GET", PATH, statuses=["DONE"])[0] == 400
    assert world.api.ok("GET", PATH, target_profile_id=first["source_profile_id"])["items"] == []


def test_session_frame_types_the_list(world):
    _create(world)
    client = world.emu.add_client(scopes=["settlement:read_transaction"])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=["settlement:read_transaction"], current=False) as session:
        frame = session.frame(PATH)
    assert len(frame) == 1
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["status"].iloc[0] == "PENDING"


@pytest.mark.parametrize(
    "operation_id",
    ["CreateTransaction", "ListTransactions", "GetTransaction", "AffirmTransaction",
     "CancelTransaction"],
)  # fmt: skip
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    ids = [p.id for p in direct.ledger.profiles]
    status, made = direct("POST", "/v2" + PATH, {
        "ref_id": "seed", "source_profile_id": ids[0], "target_profile_id": ids[1],
        "legs": [{"direction": "DELIVER", "asset": "USD", "amount": "1"}],
    })  # fmt: skip
    assert status == 200
    no_server_errors(
        direct,
        operation_id,
        path_values={"transaction_id": st.sampled_from([made["id"], "nope"])},
    )
