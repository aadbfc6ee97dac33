"""Crypto destination addresses: upsert by key or id, list filters, forced statuses."""

from __future__ import annotations

import pytest
from money_support import Money


@pytest.fixture
def m() -> Money:
    return Money()


def test_destination_addresses_upsert_and_list(m):
    made = m.ok(
        "PUT",
        "/transfer/crypto-destination-address",
        {"crypto_network": "ETHEREUM", "address": "0x" + "ab" * 20},
    )["address"]
    assert made["status"] == "APPROVED"
    assert made["bookmarked"] is False
    assert made["nickname"] == "ETHEREUM 0xabab...abab"
    same = m.ok(
        "PUT",
        "/transfer/crypto-destination-address",
        {"crypto_network": "ETHEREUM", "address": "0x" + "ab" * 20, "nickname": "cold"},
    )["address"]
    assert same["id"] == made["id"]
    assert same["nickname"] == "cold"
    rule = {
        "beneficiary": {"person_details": {"first_name": "Ada", "last_name": "L"}},
        "vasp": {"id": "vasp-1"},
        "custodian_type": "VASP",
    }
    by_id = m.ok(
        "PUT",
        "/transfer/crypto-destination-address",
        {"id": made["id"], "bookmarked_status": True, "travelrule_metadata": rule},
    )["address"]
    assert by_id["bookmarked"] is True
    assert by_id["travelrule_metadata"] == rule
    btc = m.ok(
        "PUT",
        "/transfer/crypto-destination-address",
        {"crypto_network": "BITCOIN", "address": "tb1qexample", "name": "from the guide"},
    )["address"]
    assert btc["nickname"] == "from the guide"
    listed = m.ok("GET", "/transfer/crypto-destination-addresses")["addresses"]
    assert [a["id"] for a in listed] == [btc["id"], made["id"]]
    bookmarked = "/transfer/crypto-destination-addresses?bookmarked_status=true"
    assert [a["id"] for a in m.ok("GET", bookmarked)["addresses"]] == [made["id"]]
    networks = "/transfer/crypto-destination-addresses?crypto_networks=BITCOIN&nicknames=x"
    assert m.ok("GET", networks)["addresses"] == []


def test_destination_address_errors_and_forced_statuses(m):
    both = {"id": "x", "crypto_network": "BITCOIN", "address": "tb1q"}
    assert "not both" in m.fails(400, "PUT", "/transfer/crypto-destination-address", both)["detail"]
    m.fails(400, "PUT", "/transfer/crypto-destination-address", {"crypto_network": "BITCOIN"})
    m.fails(404, "PUT", "/transfer/crypto-destination-address", {"id": "nope"})
    evm = {"crypto_network": "BASE", "address": "not-hex"}
    m.fails(400, "PUT", "/transfer/crypto-destination-address", evm)
    m.ledger.outcomes.next("PutCryptoDestinationAddress", "PENDING")
    m.ledger.outcomes.next("PutCryptoDestinationAddress", "REJECTED")
    pending = m.ok(
        "PUT", "/transfer/crypto-destination-address", {"crypto_network": "SOLANA", "address": "S1"}
    )["address"]
    rejected = m.ok(
        "PUT", "/transfer/crypto-destination-address", {"crypto_network": "SOLANA", "address": "S2"}
    )["address"]
    assert pending["status"] == "PENDING"
    assert pending["policy_execution_id"]
    assert rejected["status"] == "REJECTED"
