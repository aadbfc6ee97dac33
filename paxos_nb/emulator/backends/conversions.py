"""Stablecoin conversions, USD to a Paxos stablecoin and back, 1:1.

The source asset is debited at CREATED and the target credited at SETTLED (the
``stablecoin_conversion`` delay later); a CREATED conversion can be cancelled, which refunds
the source. Deprecated by Paxos in favour of orchestrations, still emulated.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ..problems import Problem, bad_request, not_found
from ..records import PAXOS_STABLECOINS, StablecoinConversion
from .core import Core, Family
from .profiles import Balances, Profile, Profiles

__all__ = ["Conversions", "check_pair"]


def check_pair(source: str, target: str) -> None:
    """Only USD <-> a Paxos stablecoin; stablecoin to stablecoin is not allowed."""
    if not (
        (source == "USD" and target in PAXOS_STABLECOINS)
        or (target == "USD" and source in PAXOS_STABLECOINS)
    ):
        raise bad_request(
            f"cannot convert {source} to {target}: only USD to one of "
            f"{', '.join(PAXOS_STABLECOINS)} (or back) is supported"
        )


class Conversions(Family[StablecoinConversion]):
    """Every stablecoin conversion of the customer."""

    def __init__(self, core: Core, profiles: Profiles, balances: Balances) -> None:
        super().__init__("stablecoin_conversion")
        self.core, self.profiles, self.balances = core, profiles, balances

    def reset(self) -> None:
        self.clear()

    def find(self, ident: str) -> StablecoinConversion:
        record = self.get(ident)
        if record is None:
            raise not_found(
                f"conversion with id {ident} not found for customer with id {self.core.customer_id}"
            )
        return record

    def create(
        self,
        profile: Profile,
        amount: Decimal,
        source: str,
        target: str,
        recipient_id: str | None,
        ref_id: str | None,
        **fields: Any,
    ) -> StablecoinConversion:
        """Debit ``source`` now, credit ``target`` to the recipient (``recipient_id``, or the
        profile) at settlement; 409 already-exists when ``ref_id`` is taken, 403 when short.

        ``fields``: ``metadata``, ``identity_id``, ``account_id``.
        """
        self.check_ref(ref_id, "conversion")
        recipient = self.profiles.find(recipient_id).id if recipient_id else profile.id
        now = self.core.now
        self.balances.debit(profile.id, source, amount)
        record = StablecoinConversion(
            self.core.new_id(), profile.id, amount, source, target, "CREATED", now, now,
            recipient, ref_id=ref_id, **fields,
        )  # fmt: skip
        self.add(record)
        self.core.changed("stablecoin_conversion.created", record, now)

        def settle(when: datetime) -> None:
            if record.status == "CREATED":  # not cancelled meanwhile
                self.balances.credit(recipient, target, amount)
                record.status, record.settled_at, record.updated_at = "SETTLED", when, when
                self.core.changed("stablecoin_conversion.settled", record, when, "CREATED")

        self.core.after("stablecoin_conversion", now, settle)
        return record

    def cancel(self, record: StablecoinConversion) -> StablecoinConversion:
        """Refund a CREATED conversion; 403 once it settled or was cancelled."""
        if record.status != "CREATED":
            raise Problem(403, f"conversion is {record.status} and can no longer be cancelled")
        now = self.core.now
        self.balances.credit(record.profile_id, record.source_asset, record.amount)
        record.status, record.cancelled_at, record.updated_at = "CANCELLED", now, now
        self.core.changed("stablecoin_conversion.cancelled", record, now, "CREATED")
        return record
