"""Shared by the money-family tests: a small ledger driven in-process, and bank details."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from resources_harness import Direct

from paxos_nb.emulator.ledger import Ledger

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)
SINCE = "2026-07-01T00:00:00Z"  # after the seeded history

_WIRE = {
    "wire": {
        "account_number": "74600021314512",
        "fiat_account_owner_address": {
            "country": "USA",
            "address1": "456 Main Street, NY",
            "city": "New York",
            "province": "NY",
            "zip_code": "10101",
        },
        "routing_details": {
            "routing_number_type": "ABA",
            "routing_number": "031302971",
            "bank_name": "Customers Bank",
            "bank_address": {"country": "USA", "address1": "123 Bank Street"},
        },
    }
}
_OWNER = {"person_details": {"first_name": "Megan", "last_name": "Snow"}}


def wire() -> dict[str, Any]:
    """Wire details as the Fiat Transfers quickstart sends them (a fresh copy)."""
    return copy.deepcopy(_WIRE)


def owner() -> dict[str, Any]:
    return copy.deepcopy(_OWNER)


class Money:
    """Handlers in-process on a small seeded ledger, at a clock the test moves."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("history", 60)
        self.ledger = Ledger(0, **options)
        self.direct = Direct(self.ledger, NOW)
        self.pid = self.ledger.default_profile_id
        self.other = next(p.id for p in self.ledger.profiles if p.id != self.pid)

    def call(self, method: str, target: str, body: object = None) -> tuple[int, Any]:
        return self.direct(method, target, body)

    def ok(self, method: str, target: str, body: object = None) -> Any:
        status, data = self.direct(method, target, body)
        assert status == 200, (method, target, status, data)
        return data

    def fails(self, status: int, method: str, target: str, body: object = None) -> dict:
        got, data = self.direct(method, target, body)
        assert got == status, (method, target, got, data)
        return data

    def later(self, seconds: float) -> None:
        """Move the clock (a hair past ``seconds``: ledger instants run µs ahead) and read."""
        self.direct.now += timedelta(seconds=seconds, milliseconds=1)
        self.ok("GET", "/profiles")

    def usd(self, profile_id: str | None = None) -> Decimal:
        pid = profile_id or self.pid
        return Decimal(self.ok("GET", f"/profiles/{pid}/balances/USD")["available"])

    def transfer(self, ident: str) -> dict:
        return self.ok("GET", f"/transfer/transfers/{ident}")

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.ok("GET", f"/events?created_at.gt={SINCE}")["events"]]

    def approved_account(self, **extra: Any) -> dict:
        made = self.ok(
            "POST",
            "/transfer/fiat-accounts",
            {"fiat_account_owner": owner(), "fiat_network_instructions": wire(), **extra},
        )
        self.later(2)
        return made

    def instructions(self, network: str = "WIRE", **extra: Any) -> dict:
        body: dict[str, Any] = {"profile_id": self.pid, "fiat_network": network, **extra}
        if network == "WIRE":
            body.setdefault("routing_number_type", "ABA")
        return self.ok("POST", "/transfer/fiat-deposit-instructions", body)

    def audit_ok(self) -> None:
        assert all(line["difference"] == 0 for line in self.ledger.audit().values())
