"""Deposits: the sandbox deposit (``CreateSandboxDeposit``), credited at once.

A crypto deposit to the address of an ACTIVE orchestration rule starts that rule's
orchestration. Deposits are Transfer records of the :class:`Transfers` backend; this backend
holds no records of its own (the deposits to come, fiat and travel-rule crypto, will add
their held and delayed states here).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..networks import NETWORKS_BY_ASSET, make_tx_hash, usd_value
from ..pricing import Prices
from ..problems import bad_request
from ..records import FIAT, Transfer
from .addresses import Addresses
from .core import Core
from .orchestrations import Orchestrations
from .profiles import Balances, Profile
from .transfers import Transfers

__all__ = ["Deposits", "check_sandbox_network"]


def check_sandbox_network(asset: str, network: str | None) -> None:
    """400 unless a fiat deposit has no network and a crypto one a network carrying it."""
    if asset in FIAT:
        if network:
            raise bad_request("crypto_network must be left out for a fiat deposit")
    elif not network:
        raise bad_request(f"crypto_network is required for a {asset} deposit")
    elif network not in NETWORKS_BY_ASSET.get(asset, ()):
        raise bad_request(f"{asset} is not supported on network {network}")


class Deposits:
    """Money arriving from outside: credits a profile and records a CREDIT transfer."""

    def __init__(
        self,
        core: Core,
        balances: Balances,
        transfers: Transfers,
        addresses: Addresses,
        orchestrations: Orchestrations,
        prices: Prices,
    ) -> None:
        self.core, self.balances, self.transfers = core, balances, transfers
        self.addresses, self.orchestrations, self.prices = addresses, orchestrations, prices

    def reset(self) -> None:
        """Nothing of its own to forget (the transfers are the Transfers backend's)."""

    def sandbox(
        self,
        profile: Profile,
        asset: str,
        amount: Decimal,
        network: str | None,
        address: str | None,
    ) -> Transfer:
        """A COMPLETED deposit of ``amount``: WIRE for fiat, CRYPTO on ``network`` (to
        ``address``, or the profile's first address on that network)."""
        now = self.core.now
        extra: dict[str, Any] = {"type": "WIRE_DEPOSIT"}
        if network:
            rng = self.core.random("sandbox-deposit", len(self.transfers))
            extra = {
                "type": "CRYPTO_DEPOSIT",
                "crypto_network": network,
                "destination_address": address or self.addresses.address_for(profile.id, network),
                "crypto_tx_hash": make_tx_hash(network, rng),
                "crypto_tx_index": "0",
                "notional_value": usd_value(self.prices, asset, amount, now),
            }
        transfer = self.transfers.new(
            profile.id, amount, asset, direction="CREDIT", status="COMPLETED", kind="deposit",
            **extra,
        )  # fmt: skip
        self.balances.credit(profile.id, asset, amount)
        if network:  # a deposit to an orchestration rule's address starts its conversion
            self.orchestrations.on_deposit(transfer)
        return transfer
