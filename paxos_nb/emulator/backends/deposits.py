"""Deposits: the sandbox deposit (``CreateSandboxDeposit``) and crypto deposits held for
travel-rule information (``UpdateCryptoDeposit``, ``RejectCryptoDeposit``).

A sandbox deposit is credited at once (COMPLETED), unless its outcome was forced with
``emu.outcomes`` (crypto only): ``PENDING`` confirms after the ``crypto_deposit`` delay,
``FAILED`` fails then, ``NEEDS_INFO`` holds it (PENDING with secondary status
``TRAVEL_RULE_INFO_REQUESTED``, credited nothing) until the customer sends the originator's
details (update: released, COMPLETED after the ``crypto_deposit`` delay) or rejects it
(FAILED with ``CUSTOMER_REJECTED`` at once; the funds are forfeited). A crypto deposit to the
address of an ACTIVE orchestration rule starts that rule's orchestration once credited.
Deposits are Transfer records of the :class:`Transfers` backend.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..networks import NETWORKS_BY_ASSET, make_tx_hash, usd_value
from ..pricing import Prices
from ..problems import Problem, bad_request, not_found
from ..records import FIAT, Transfer
from .addresses import Addresses
from .core import Core
from .orchestrations import Orchestrations
from .profiles import Balances, Profile
from .transfers import Transfers

__all__ = ["Deposits", "check_deposit_id", "check_sandbox_network"]

HELD = "TRAVEL_RULE_INFO_REQUESTED"


def check_sandbox_network(asset: str, network: str | None) -> None:
    """400 unless a fiat deposit has no network and a crypto one a network carrying it."""
    if asset in FIAT:
        if network:
            raise bad_request("crypto_network must be left out for a fiat deposit")
    elif not network:
        raise bad_request(f"crypto_network is required for a {asset} deposit")
    elif network not in NETWORKS_BY_ASSET.get(asset, ()):
        raise bad_request(f"{asset} is not supported on network {network}")


def check_deposit_id(ident: str) -> None:
    """400 ``id must be uuid, given <id>`` (the crypto-deposits wording)."""
    try:
        uuid.UUID(ident)
    except ValueError:
        raise bad_request(f"id must be uuid, given {ident}") from None


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
        self.originators: dict[str, dict[str, Any]] = {}  # deposit id -> travel-rule details

    def reset(self) -> None:
        """Forget the originators received (the transfers are the Transfers backend's)."""
        self.originators.clear()

    def sandbox(
        self,
        profile: Profile,
        asset: str,
        amount: Decimal,
        network: str | None,
        address: str | None,
    ) -> Transfer:
        """A deposit of ``amount``: WIRE for fiat, CRYPTO on ``network`` (to ``address``,
        or the profile's first address on that network); COMPLETED unless forced."""
        now = self.core.now
        outcome = self.core.outcomes.take(
            "CreateSandboxDeposit", None if network else ("COMPLETED",)
        )
        extra: dict[str, Any] = {"type": "WIRE_DEPOSIT"}
        if network:
            rng = self.core.random("sandbox-deposit", len(self.transfers))
            address = address or self.addresses.address_for(profile.id, network)
            extra = {
                "type": "CRYPTO_DEPOSIT",
                "crypto_network": network,
                "destination_address": address,
                "crypto_tx_hash": make_tx_hash(network, rng),
                "crypto_tx_index": "0",
                "notional_value": usd_value(self.prices, asset, amount, now),
            }
            owner = self.addresses.record_of(profile.id, address)
            if owner is not None:  # deposits inherit the address's links and metadata
                extra.update(
                    identity_id=owner.identity_id, account_id=owner.account_id,
                    metadata=dict(owner.metadata),
                )  # fmt: skip
        if outcome == "NEEDS_INFO":
            extra["secondary_status"] = {"name": HELD}
        transfer = self.transfers.new(
            profile.id, amount, asset, direction="CREDIT", kind="deposit",
            status="COMPLETED" if outcome == "COMPLETED" else "PENDING", **extra,
        )  # fmt: skip
        if outcome == "COMPLETED":
            self._credit(transfer)
        elif outcome in ("PENDING", "FAILED"):
            final = outcome.replace("PENDING", "COMPLETED")
            self.core.after("crypto_deposit", now, lambda when: self._finish(transfer, final, when))
        return transfer

    def _credit(self, transfer: Transfer) -> None:
        self.balances.credit(transfer.profile_id, transfer.asset, transfer.total)
        if transfer.crypto_network:  # a deposit to a rule's address starts its conversion
            self.orchestrations.on_deposit(transfer)

    def _finish(self, transfer: Transfer, status: str, when: datetime) -> None:
        if transfer.status != "PENDING":
            return
        self.transfers.set_status(transfer, status, when)
        if status == "COMPLETED":
            self._credit(transfer)

    # -- travel rule --------------------------------------------------------------------------
    def held(self, ident: str) -> Transfer:
        """The crypto deposit ``ident`` (400 unless a UUID, 404 unless a crypto deposit);
        409 Conflict unless it is held for travel-rule information."""
        check_deposit_id(ident)
        transfer = self.transfers.get(ident)
        if transfer is None or transfer.type != "CRYPTO_DEPOSIT":
            raise not_found(f"no crypto deposit found for id: {ident}")
        secondary = transfer.secondary_status or {}
        if transfer.status != "PENDING" or secondary.get("name") != HELD:
            raise Problem(409, f"crypto deposit {ident} does not need info")
        return transfer

    def _check_identity(self, transfer: Transfer, identity_id: str) -> None:
        if transfer.identity_id and identity_id != transfer.identity_id:
            raise bad_request(
                f"identity_id {identity_id} is not the identity of crypto deposit {transfer.id}"
            )

    def provide_info(
        self, transfer: Transfer, identity_id: str, originator: dict[str, Any]
    ) -> None:
        """``UpdateCryptoDeposit``: the originator is known; the deposit is released and
        completes (credited) after the ``crypto_deposit`` delay."""
        self._check_identity(transfer, identity_id)
        self.transfers.set_secondary(transfer, None)
        self.originators[transfer.id] = dict(originator)  # kept; Paxos does not echo it
        self.core.after(
            "crypto_deposit", self.core.now, lambda when: self._finish(transfer, "COMPLETED", when)
        )

    def reject(self, transfer: Transfer, identity_id: str) -> None:
        """``RejectCryptoDeposit``: FAILED with ``CUSTOMER_REJECTED`` now; nothing is credited
        (the funds are forfeited)."""
        self._check_identity(transfer, identity_id)
        self.transfers.set_secondary(transfer, "CUSTOMER_REJECTED")
        self.transfers.set_status(transfer, "FAILED", self.core.now)
