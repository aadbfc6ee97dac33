"""Paxos transfers (``POST /transfer/paxos``): money to a profile of another Paxos entity.

docs.paxos.com (Paxos Transfers): the target must be an existing profile of **another**
entity; the answer is the sender's ``PAXOS_TRANSFER_DEBIT`` (fee 0, total = amount, a
``group_id``), COMPLETED at once; the receiver gets a ``PAXOS_TRANSFER_CREDIT`` with the
same ``group_id`` carrying ``recipient_metadata``. The emulator has one customer, so the
other entities are a fixed directory of :data:`COUNTERPARTIES` (ids documented in
docs/emulator-data.md); their credit legs are kept in :attr:`PaxosTransfers.delivered`, out of
the sender's transfer list, as Paxos keeps them out of it. No events (none is documented).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..networks import usd_value
from ..pricing import Prices
from ..problems import Problem, bad_request, not_found
from ..records import Transfer
from .core import Core
from .limits import Limits
from .profiles import Balances, Profile, Profiles
from .transfers import Transfers

__all__ = ["COUNTERPARTIES", "Counterparty", "PaxosTransfers"]

_NAMESPACE = uuid.UUID("6f2d7c1e-3b8a-4e55-9a41-0c7d2b9e5f10")


@dataclass(frozen=True)
class Counterparty:
    """A profile of another Paxos entity (customer), the target of Paxos transfers."""

    name: str

    @property
    def customer_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"customer:{self.name}"))

    @property
    def profile_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"profile:{self.name}"))


COUNTERPARTIES = (Counterparty("Acme Exchange"), Counterparty("Globex Payments"))


class PaxosTransfers:
    """Debits of the customer to other entities, and the credit legs they received."""

    def __init__(self, core: Core, profiles: Profiles, balances: Balances,
                 transfers: Transfers, limits: Limits, prices: Prices) -> None:  # fmt: skip
        self.core, self.profiles, self.balances = core, profiles, balances
        self.transfers, self.limits, self.prices = transfers, limits, prices
        self.counterparties = {c.profile_id: c for c in COUNTERPARTIES}
        self.delivered: list[Transfer] = []  # the credit legs, on the other entities' side

    def reset(self) -> None:
        self.delivered.clear()

    def target(self, profile_id: str) -> Counterparty:
        """The other entity's profile ``profile_id``; 400 for one of the customer's own
        profiles (an internal transfer moves money between them), 404 otherwise."""
        if self.profiles.get(profile_id) is not None:
            raise bad_request(
                f"to_profile_id {profile_id} is a profile of your own entity: a Paxos transfer "
                "goes to another entity; use POST /transfer/internal between your own profiles"
            )
        found = self.counterparties.get(profile_id)
        if found is None:
            raise not_found(f"profile not found: {profile_id}")
        return found

    def send(self, source: Profile, target: Counterparty, asset: str, amount: Decimal, *,
             ref_id: str | None, debit_fields: dict[str, Any],
             credit_fields: dict[str, Any]) -> Transfer:  # fmt: skip
        """The COMPLETED debit leg (the credit leg goes to ``target``)."""
        if ref_id and ref_id in self.transfers.refs:
            problem = Problem(409, "Transfer with ref_id already exists", title="Already exists")
            problem.type = "https://api.paxos.com/v2/problems/already-exists"  # as documented
            raise problem
        now = self.core.now
        self.balances.check(source.id, asset, amount)
        self.limits.check("PAXOS_TRANSFER_DEBIT", usd_value(self.prices, asset, amount, now))
        self.balances.debit(source.id, asset, amount)
        group = self.core.new_id()
        debit = self.transfers.new(
            source.id, amount, asset, direction="DEBIT", type="PAXOS_TRANSFER_DEBIT",
            status="COMPLETED", kind="paxos", ref_id=ref_id, group_id=group, **debit_fields,
        )  # fmt: skip
        credit = Transfer(
            id=self.core.new_id(), customer_id=target.customer_id, profile_id=target.profile_id,
            amount=amount, fee=Decimal(0), asset=asset, direction="CREDIT",
            type="PAXOS_TRANSFER_CREDIT", status="COMPLETED", created_at=now, updated_at=now,
            kind="paxos", group_id=group, **credit_fields,
        )  # fmt: skip
        self.delivered.append(credit)
        return debit
