"""Monitoring addresses: validation with the documented messages, rename, list, answers."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from part2_checks import assert_valid, no_server_errors

from paxos_nb.config import Credentials
from paxos_nb.session import connect

PATH = "/rewards/monitor/address"
EVM = "0x52908400098527886E0F7030069857D2E4169EE7"
SOL = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"


def _create(world, network="ETHEREUM", address=EVM, name="treasury"):
    got = world.api.ok("POST", PATH, {"crypto_network": network, "address": address, "name": name})
    assert_valid("CreateMonitoringAddress", got)
    return got["address"]


def test_create_get_rename_and_list(world):
    made = _create(world)
    assert (made["crypto_network"], made["address"], made["name"]) == ("ETHEREUM", EVM, "treasury")
    assert made["created_at"] == "2026-07-01T09:30:00Z"
    got = world.api.ok("GET", f"{PATH}/{made['id']}")
    assert_valid("GetMonitoringAddress", got)
    assert got["address"] == made
    renamed = world.api.ok("PUT", f"{PATH}/{made['id']}", {"name": "cold"})
    assert_valid("UpdateMonitoringAddress", renamed)
    assert renamed["address"]["name"] == "cold"
    sol = _create(world, "SOLANA", SOL, "")
    assert "name" not in sol
    page = world.api.ok("GET", PATH, limit=1)
    assert_valid("ListMonitoringAddress", page)
    assert [a["id"] for a in page["addresses"]] == [sol["id"]]
    rest = world.api.ok("GET", PATH, page_cursor=page["next_page_cursor"])
    assert [a["id"] for a in rest["addresses"]] == [made["id"]]
    assert [a["id"] for a in world.api.ok("GET", PATH, crypto_network="SOLANA")["addresses"]] == [
        sol["id"]
    ]
    found = world.api.ok("GET", PATH, address=EVM.lower())["addresses"]
    assert [a["id"] for a in found] == [made["id"]]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"crypto_network": "ETHEREUM"}, "address must be set"),
        ({"address": EVM}, "network must be set"),
        ({"crypto_network": "BITCOIN", "address": EVM}, "invalid crypto_network"),
        ({"crypto_network": "ETHEREUM", "address": "0x123"}, "invalid address"),
        ({"crypto_network": "SOLANA", "address": EVM}, "invalid address"),
        ({"crypto_network": "INK", "address": EVM.lower()}, None),
    ],
)
def test_documented_errors(world, body, detail):
    status, got = world.api.call("POST", PATH, body)
    if detail is None:
        assert status == 200, got
    else:
        assert (status, got["detail"]) == (400, detail)


def test_an_address_is_claimed_once_and_ids_are_checked(world):
    made = _create(world)
    status, got = world.api.call(
        "POST", PATH, {"crypto_network": "ETHEREUM", "address": EVM.lower()}
    )
    assert (status, got["detail"]) == (400, "address cannot be claimed")
    assert world.api.call("GET", f"{PATH}/not-a-uuid")[1]["detail"] == "invalid address id"
    status, got = world.api.call("GET", f"{PATH}/00000000-0000-4000-8000-000000000000")
    assert (status, got["detail"]) == (404, "address not found")
    status, got = world.api.call("PUT", f"{PATH}/{made['id']}", {"name": ""})
    assert (status, got["detail"]) == (400, "name must be set")


def test_session_frame_types_the_list(world):
    _create(world)
    scope = "rewards:read_monitoring_address"
    client = world.emu.add_client(scopes=[scope])
    creds = Credentials(client.client_id, client.client_secret, "local", api_url=world.emu.api_url)
    with connect(creds, scopes=[scope], current=False) as session:
        frame = session.frame(PATH)
    assert list(frame["address"]) == [EVM]
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["crypto_network"].dtype) == "category"


@pytest.mark.parametrize(
    "operation_id",
    ["CreateMonitoringAddress", "GetMonitoringAddress", "UpdateMonitoringAddress",
     "ListMonitoringAddress"],
)  # fmt: skip
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    status, made = direct("POST", "/v2" + PATH, {"crypto_network": "ETHEREUM", "address": EVM})
    assert status == 200, made
    ids = st.sampled_from([made["address"]["id"], "nope", "00000000-0000-4000-8000-000000000000"])
    no_server_errors(direct, operation_id, path_values={"id": ids})
