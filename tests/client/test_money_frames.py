"""``session.frame`` on the lists of the money families: events (a time window), fiat
accounts, fiat deposit instructions and crypto destination addresses (cursors), transfer
limits (one page): every page, typed columns (exact decimals, UTC datetimes)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from paxos_nb import catalog, scopes

LISTS = {
    "ListEvents": "/events",
    "ListFiatAccounts": "/transfer/fiat-accounts",
    "ListFiatDepositInstructions": "/transfer/fiat-deposit-instructions",
    "ListCryptoDestinationAddresses": "/transfer/crypto-destination-addresses",
    "ListTransferLimits": "/transfer/limits/utilizations",
}
WIRE = {
    "wire": {
        "account_number": "74600021314512",
        "fiat_account_owner_address": {"country": "USA"},
        "routing_details": {
            "routing_number_type": "ABA",
            "routing_number": "031302971",
            "bank_name": "Customers Bank",
            "bank_address": {"country": "USA"},
        },
    }
}


def test_every_new_list_has_a_pagination_family():
    families = {op: catalog.by_id(op).pagination for op in LISTS}
    assert families == {
        "ListEvents": "time-window",
        "ListFiatAccounts": "cursor-time-filters",
        "ListFiatDepositInstructions": "cursor-time-filters",
        "ListCryptoDestinationAddresses": "cursor-time-filters",
        "ListTransferLimits": None,
    }


def test_frames_of_the_money_lists(open_session, emu):
    wanted = scopes.required(
        [
            *LISTS,
            "CreateFiatAccount",
            "CreateFiatDepositInstructions",
            "PutCryptoDestinationAddress",
        ]
    )
    session, _ = open_session(list(wanted))
    pid = emu.ledger.default_profile_id
    for n in range(5):
        owner = {"person_details": {"first_name": "Ada", "last_name": f"L{n}"}}
        session.post(
            "/transfer/fiat-accounts",
            json={"fiat_account_owner": owner, "fiat_network_instructions": WIRE},
        )
        session.post(
            "/transfer/fiat-deposit-instructions",
            json={"profile_id": pid, "fiat_network": "WIRE", "routing_number_type": "ABA"},
        )
        session.put(
            "/transfer/crypto-destination-address",
            json={"crypto_network": "BITCOIN", "address": f"tb1qframe{n}"},
        )

    accounts = session.frame("/transfer/fiat-accounts", limit=2, progress=False)
    assert len(accounts) >= 5  # three pages of two
    assert accounts["id"].is_unique
    assert isinstance(accounts["created_at"].dtype, pd.DatetimeTZDtype)
    assert str(accounts["created_at"].dt.tz) == "UTC"
    assert "fiat_network_instructions.wire.account_number" in accounts.columns
    assert accounts["fiat_network_instructions.wire.account_number"].str.startswith("XXXX").all()

    instructions = session.frame("/transfer/fiat-deposit-instructions", limit=2, progress=False)
    assert len(instructions) >= 5
    assert instructions["memo_id"].is_unique
    assert str(instructions["created_at"].dt.tz) == "UTC"

    addresses = session.frame("/transfer/crypto-destination-addresses", limit=2, progress=False)
    assert len(addresses) >= 5
    assert addresses["bookmarked"].map(type).eq(bool).all()

    limits = session.frame(
        "/transfer/limits/utilizations", transfer_type="WIRE_WITHDRAWAL", progress=False
    )
    assert len(limits) == 2
    assert all(isinstance(v, Decimal) for v in limits["limit"])
    assert all(isinstance(v, Decimal) for v in limits["remaining"])
    assert set(limits["period_seconds"]) == {"0", "86400"}

    events = session.frame("/events", limit=100, progress=False)
    assert (
        len(events) == len(emu.ledger.events) > 100
    )  # more than one time window: created_at.gt moved
    assert events["id"].is_unique
    assert events["created_at"].is_monotonic_increasing
    assert str(events["created_at"].dt.tz) == "UTC"
    assert "object.status" in events.columns


def test_status_details_become_dotted_columns(open_session, emu):
    """A withdrawal failed with a reason (forced): its status_details map, like
    secondary_status, spreads into dotted columns; transfers without one leave them empty."""
    wanted = scopes.required(["CreateCryptoWithdrawal", "ListTransfers"])
    session, _ = open_session(list(wanted))
    pid = emu.ledger.default_profile_id
    address = "7Vbsn3YqXb7kDFvEHCWZRh5osSQXzjYkeFnRhh2Mz5vT"
    emu.outcomes.next("CreateCryptoWithdrawal", "MAX_RENT_EXCEEDED")
    body = {"profile_id": pid, "asset": "USDG", "crypto_network": "SOLANA", "amount": "2"}
    body["destination_address"] = address
    failed = session.post("/transfer/crypto-withdrawals", json=body)
    plain = session.post("/transfer/crypto-withdrawals", json=body)
    emu.advance(2)
    frame = session.frame(
        "/transfer/transfers", ids=[failed["id"], plain["id"]], order="ASC", progress=False
    )
    rows = frame.set_index("id")
    message = "status_details.max_rent_exceeded.message"
    where = "status_details.max_rent_exceeded.destination_address"
    assert rows.loc[failed["id"], "status"] == "FAILED"
    assert rows.loc[failed["id"], message] == "Transfer cancelled due to suspected system abuse"
    assert rows.loc[failed["id"], where] == address
    assert rows.loc[plain["id"], "status"] == "COMPLETED"
    assert pd.isna(rows.loc[plain["id"], message])
    assert "status_details" not in frame.columns
