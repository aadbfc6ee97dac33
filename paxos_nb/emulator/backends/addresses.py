"""Deposit addresses: making one (seeded address, compatible networks) for a profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..records import DepositAddress
from ..seed import compatible_networks, make_address

__all__ = ["new_address"]


def new_address(
    led: Any, now: datetime, profile_id: str, network: str, **fields: Any
) -> DepositAddress:
    """Create and register a deposit address (also used by orchestration rules)."""
    ident = led.new_id()
    record = DepositAddress(
        ident,
        led.customer_id,
        profile_id,
        network,
        make_address(network, led.random("address", ident)),
        compatible_networks(network),
        now,
        **fields,
    )
    led.deposit_addresses.add(record)
    led.core.changed("deposit_address.created", record, now)
    return record
