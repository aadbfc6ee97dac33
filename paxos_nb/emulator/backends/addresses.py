"""Deposit addresses: a profile's addresses per network (also made by orchestration rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..networks import compatible_networks, make_address
from ..records import DepositAddress
from .core import Core, Family

__all__ = ["Addresses"]


class Addresses(Family[DepositAddress]):
    """Every deposit address of the customer."""

    def __init__(self, core: Core) -> None:
        super().__init__("deposit_address")
        self.core = core

    def reset(self) -> None:
        self.clear()

    def create(
        self,
        profile_id: str,
        network: str,
        created_at: datetime,
        address: str | None = None,
        **fields: Any,
    ) -> DepositAddress:
        """A new address of ``profile_id`` on ``network`` (seeded from its id when ``address``
        is not given); 409 already-exists when ``fields["ref_id"]`` is taken."""
        self.check_ref(fields.get("ref_id"), "deposit address")
        ident = self.core.new_id()
        record = DepositAddress(
            ident,
            self.core.customer_id,
            profile_id,
            network,
            address or make_address(network, self.core.random("address", ident)),
            compatible_networks(network),
            created_at,
            **fields,
        )
        self.add(record)
        self.core.changed("deposit_address.created", record, created_at)
        return record

    def record_of(self, profile_id: str, address: str | None) -> DepositAddress | None:
        """The deposit address record of ``profile_id`` with this ``address``, if any."""
        for record in self:
            if record.profile_id == profile_id and record.address == address:
                return record
        return None

    def address_for(self, profile_id: str, network: str) -> str | None:
        """The first address of ``profile_id`` that receives on ``network``, if any."""
        for record in self:
            if record.profile_id == profile_id and network in record.compatible:
                return record.address
        return None
