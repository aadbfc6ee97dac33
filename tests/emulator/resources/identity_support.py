"""Request bodies and an in-process recorder for the identity, document and account tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from resources_harness import Direct

from paxos_nb.emulator.backends.core import Change
from paxos_nb.emulator.ledger import Ledger

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)
ADDRESS = {
    "address1": "123 Main St",
    "city": "New York",
    "province": "NY",
    "country": "USA",
    "zip_code": "10001",
}
PDF = b"%PDF-1.4\n% a tiny test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def person(n: int = 1, passthrough: str | None = "APPROVED", **extra: Any) -> dict[str, Any]:
    """A person body (docs.paxos.com's crypto-brokerage guide): passthrough IDV with
    ``passthrough`` as its result, or Paxos-run IDV (``passthrough=None``)."""
    details: dict[str, Any] = {
        "first_name": f"Billy{'I' * n}",
        "last_name": "Duncan",
        "date_of_birth": "1960-01-01",
        "address": ADDRESS,
        "nationality": "USA",
        "cip_id": f"073-05-{1100 + n}",
        "cip_id_type": "SSN",
        "cip_id_country": "USA",
    }
    if passthrough:
        details.update(
            verifier_type="PASSTHROUGH",
            passthrough_verifier_type="JUMIO",
            passthrough_verified_at="2021-06-16T09:28:14Z",
            passthrough_verification_id=f"775300ef-{n}",
            passthrough_verification_status=passthrough,
            passthrough_verification_fields=["FULL_LEGAL_NAME", "DATE_OF_BIRTH"],
        )
    else:
        details["verifier_type"] = "PAXOS"
    return {"ref_id": f"user-{n}", "person_details": details, **extra}


def institution(
    members: list[dict[str, Any]], kind: str = "CORPORATION", n: int = 1, **extra: Any
) -> dict[str, Any]:
    return {
        "ref_id": f"inst-{n}",
        "institution_details": {
            "name": f"Foogle {n}",
            "institution_type": kind,
            "institution_sub_type": "HEDGE_FUND",
            "cip_id": f"12-345678{n}",
            "cip_id_type": "EIN",
            "cip_id_country": "USA",
            "business_address": ADDRESS,
            "regulation_status": "NON_REGULATED",
            "trading_type": "PRIVATE",
        },
        "institution_members": members,
        **extra,
    }


class Recorder:
    """Calls handlers in-process at a clock the test moves; collects announced changes."""

    def __init__(self) -> None:
        self.ledger = Ledger(0, history=20)
        self.direct = Direct(self.ledger, NOW)
        self.changes: list[Change] = []
        self.ledger.core.listeners.append(self.record)
        self.objects: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def record(self, change: Change) -> None:
        """What the events feed does: documented kinds ask the record for their object."""
        self.changes.append(change)
        if change.kind in EVENT_TYPES:
            self.objects.setdefault(change.kind, []).append(change.record.event_object(change.kind))

    def call(self, method: str, target: str, body: object = None) -> tuple[int, Any]:
        return self.direct(method, target, body)

    def ok(self, method: str, target: str, body: object = None) -> Any:
        status, data = self.direct(method, target, body)
        assert status == 200, (status, data)
        return data

    def fails(self, status: int, method: str, target: str, body: object = None) -> str:
        """The detail of an expected problem."""
        got, data = self.direct(method, target, body)
        assert got == status, (got, data)
        return data["detail"]

    def kinds(self) -> list[str]:
        """The kinds announced since the last call."""
        kinds = [c.kind for c in self.changes]
        self.changes.clear()
        return kinds

    def later(self, seconds: float) -> None:
        self.direct.now += timedelta(seconds=seconds)

    def identity(self, ident: str) -> dict[str, Any]:
        return self.ok("GET", f"/identity/identities/{ident}?include_details=true")


# Paxos event types of the identity family (docs.paxos.com, Events and webhooks).
EVENT_TYPES = (
    "identity.approved",
    "identity.denied",
    "identity.disabled",
    "identity.documents_required",
    "identity.kyc_refresh.completed",
)
