"""Crypto withdrawals and their guaranteed fees.

A withdrawal debits ``amount + fee`` from the balance asset at once and is PENDING until it
is broadcast (the ``crypto_withdrawal`` delay), when it gets a tx hash and is COMPLETED (or,
forced with ``emu.outcomes``, FAILED and refunded; ``MAX_RENT_EXCEEDED`` and
``STALE_FEE_QUOTE`` fail it with that reason in ``status_details``: :func:`status_details`).
It counts against the transfer limits.
A fee quoted by ``CreateCryptoWithdrawalFee`` holds for :data:`FEE_LIFETIME` for its asset
and network. Sandbox per-transaction caps from the Paxos sandbox guide (docs.paxos.com).
An orchestration paying out to a crypto destination address opens its withdrawal leg here
(:meth:`Withdrawals.check_leg`, :meth:`Withdrawals.open_leg`): no balance is debited, the
orchestration's source leg paid for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..fmt import fmt_dec, fmt_ts
from ..networks import CRYPTO_NETWORKS, EVM_NETWORKS, NETWORKS_BY_ASSET, make_tx_hash, usd_value
from ..pricing import Prices
from ..problems import Problem, bad_request, not_found
from ..records import ASSETS, FIAT, PAXOS_STABLECOINS, Transfer, WithdrawalFee
from .controls import IdentityControls
from .core import Core, Family
from .limits import Limits
from .profiles import Balances, Profile
from .transfers import Transfers

__all__ = [
    "FAILURE_REASONS",
    "FEE_LIFETIME",
    "SANDBOX_CAPS",
    "Withdrawals",
    "check_balance_asset",
    "check_destination",
    "network_fee",
    "status_details",
]

SANDBOX_CAPS = {
    "BTC": "0.002", "ETH": "0.05", "BCH": "0.05", "LTC": "0.05", "SOL": "0.5",
    "AAVE": "10", "MATIC": "10", "LINK": "10", "UNI": "10",
    "PAXG": "1000000", "USDP": "1000000", "PYUSD": "1000000", "USDC": "1000000",
    "USDG": "1000000",
}  # fmt: skip
FEE_LIFETIME = timedelta(seconds=60)  # emulator choice: Paxos does not document it
_NATIVE_FEES = {"BTC": "0.00002", "ETH": "0.0004", "BCH": "0.0001", "LTC": "0.001", "SOL": "0.0005"}


def network_fee(asset: str, network: str) -> Decimal:
    """The emulator's flat network fee, in units of the withdrawn asset."""
    if asset in _NATIVE_FEES:
        return Decimal(_NATIVE_FEES[asset])
    if asset in ("USDP", "PYUSD", "USDG", "USDC"):
        return Decimal("1.5") if network == "ETHEREUM" else Decimal("0.05")
    return Decimal("0.0004") if asset == "PAXG" else Decimal("0.01")


# Forced outcomes that fail a withdrawal with a reason (spec Transfer.status_details; the
# docs changelog of 2026-03 adds stale_fee_quote): the reason's key and message.
# max_rent_exceeded's message is the spec's; stale_fee_quote's is the emulator's
# [unverified: the docs give no wording and no other field].
FAILURE_REASONS = {
    "MAX_RENT_EXCEEDED": ("max_rent_exceeded", "Transfer cancelled due to suspected system abuse"),
    "STALE_FEE_QUOTE": ("stale_fee_quote", "Transfer cancelled due to a stale fee quote"),
}
# Rent is a Solana concept (an account must hold a rent-exempt minimum): MAX_RENT_EXCEEDED
# applies to SOLANA withdrawals only and stays queued for others [unverified].
_OUTCOMES = ("COMPLETED", "FAILED", "STALE_FEE_QUOTE")
_SOLANA_OUTCOMES = (*_OUTCOMES, "MAX_RENT_EXCEEDED")


def status_details(outcome: str, transfer: Transfer) -> dict[str, dict[str, str]] | None:
    """The ``status_details`` of a withdrawal failed by ``outcome`` (None: no reason given)."""
    if outcome not in FAILURE_REASONS:
        return None
    key, message = FAILURE_REASONS[outcome]
    detail = {"message": message}
    if key == "max_rent_exceeded":  # the spec's example names the address
        detail["destination_address"] = transfer.destination_address or ""
    return {key: detail}


def check_destination(asset: str, network: str, address: str) -> None:
    """400 unless ``asset`` can be withdrawn on ``network`` to an address of its shape."""
    if asset not in ASSETS or asset in FIAT:
        raise bad_request(f"asset invalid: '{asset}' cannot be withdrawn to a crypto address")
    if network not in CRYPTO_NETWORKS:
        raise bad_request(f"crypto_network invalid: '{network}' is not a supported network")
    if network not in NETWORKS_BY_ASSET.get(asset, ()):
        raise bad_request(f"{asset} is not supported on network {network}")
    if network in EVM_NETWORKS and not address.startswith("0x"):
        raise bad_request(f"destination_address is not a valid {network} address")


def check_balance_asset(asset: str, balance_asset: str) -> None:
    """400 unless the withdrawal debits ``asset`` itself, or USD for a Paxos stablecoin."""
    if balance_asset != asset and not (asset in PAXOS_STABLECOINS and balance_asset == "USD"):
        raise bad_request("balance_asset must be the withdrawn asset, or USD for USDP, PYUSD, USDG")


def _net(amount: Decimal | None, total: Decimal | None, fee: Decimal) -> Decimal:
    """The amount sent: given, or the total less the fee (exactly one of them is given)."""
    if amount is not None:
        return amount
    assert total is not None
    return total - fee


class Withdrawals:
    """Crypto withdrawals (Transfer records of the :class:`Transfers` backend) and fees."""

    def __init__(
        self,
        core: Core,
        balances: Balances,
        transfers: Transfers,
        prices: Prices,
        limits: Limits,
        controls: IdentityControls | None = None,
    ) -> None:
        self.core, self.balances, self.transfers, self.prices = core, balances, transfers, prices
        self.limits = limits
        self.controls = controls  # identity controls refuse withdrawals (controls.py)
        self.fees: Family[WithdrawalFee] = Family("withdrawal_fee")

    def reset(self) -> None:
        self.fees.clear()

    def quote_fee(
        self,
        asset: str,
        network: str,
        address: str,
        amount: Decimal | None,
        total: Decimal | None,
    ) -> WithdrawalFee:
        """A guaranteed fee for this withdrawal, valid :data:`FEE_LIFETIME` from now."""
        fee = network_fee(asset, network)
        amount = _net(amount, total, fee)
        if amount <= 0:
            raise bad_request(f"total must exceed the fee of {fmt_dec(fee)} {asset}")
        now = self.core.now
        record = WithdrawalFee(
            self.core.new_id(), fee, asset, now + FEE_LIFETIME, address, network, amount,
            amount + fee,
        )  # fmt: skip
        self.fees.add(record, now)
        self.core.changed("withdrawal_fee.created", record, now)
        return record

    def _guaranteed_fee(self, fee_id: str, asset: str, network: str) -> WithdrawalFee:
        fee = self.fees.get(fee_id)
        if fee is None:
            raise not_found(f"fee not found with id {fee_id}")
        if self.core.now > fee.expires_at:
            at = fmt_ts(fee.expires_at)
            raise Problem(
                403, f"fee {fee_id} expired at {at}", title="Expired", slug="expired",
                meta={"expired_at": at},
            )  # fmt: skip
        if (fee.asset, fee.crypto_network) != (asset, network):
            raise bad_request(f"fee {fee_id} was quoted for {fee.asset} on {fee.crypto_network}")
        return fee

    def crypto(
        self,
        profile: Profile,
        asset: str,
        network: str,
        address: str,
        amount: Decimal | None,
        total: Decimal | None,
        *,
        balance_asset: str,
        ref_id: str | None,
        fee_id: str | None,
        **fields: Any,
    ) -> Transfer:
        """Debit ``amount + fee`` now; the withdrawal is broadcast (COMPLETED) later.

        ``fields``: ``metadata``, ``memo``, ``identity_id``, ``account_id``.
        """
        self.transfers.check_ref(ref_id, "transfer")
        if self.controls is not None:
            self.controls.guard(fields.get("identity_id"), "WITHDRAWAL")
        quoted = self._guaranteed_fee(fee_id, asset, network) if fee_id else None
        fee = quoted.fee if quoted is not None else network_fee(asset, network)
        amount = _net(amount, total, fee)
        if quoted is not None and 0 < quoted.amount < amount:
            raise bad_request(
                f"amount exceeds the amount {fmt_dec(quoted.amount)} quoted by fee {fee_id}"
            )
        _check_sendable(asset, amount, fee)
        now = self.core.now
        self.balances.check(profile.id, balance_asset, amount + fee)
        self.limits.check("CRYPTO_WITHDRAWAL", usd_value(self.prices, asset, amount + fee, now))
        applies = _SOLANA_OUTCOMES if network == "SOLANA" else _OUTCOMES
        outcome = self.core.outcomes.take("CreateCryptoWithdrawal", applies)
        self.balances.debit(profile.id, balance_asset, amount + fee)
        transfer = self.transfers.new(
            profile.id, amount, asset, fee=fee, balance_asset=balance_asset, direction="DEBIT",
            type="CRYPTO_WITHDRAWAL", status="PENDING", kind="withdrawal", ref_id=ref_id,
            destination_address=address, crypto_network=network,
            notional_value=usd_value(self.prices, asset, amount + fee, now), **fields,
        )  # fmt: skip

        def refund() -> None:  # never sent: the debit is refunded
            self.balances.credit(profile.id, balance_asset, amount + fee)

        self.broadcast(transfer, now, outcome, refund)
        return transfer

    def check_leg(self, asset: str, network: str, address: str, total: Decimal) -> Decimal:
        """The fee of a withdrawal leg sending ``total`` (fee included) of ``asset``; 400 when
        ``network`` cannot carry ``asset`` or ``total`` does not cover the fee, and the
        transfer limits apply."""
        check_destination(asset, network, address)
        fee = network_fee(asset, network)
        _check_sendable(asset, total - fee, fee)
        self.limits.check("CRYPTO_WITHDRAWAL", usd_value(self.prices, asset, total, self.core.now))
        return fee

    def open_leg(self, profile_id: str, asset: str, network: str, address: str, total: Decimal,
                 **fields: Any) -> Transfer:  # fmt: skip
        """A PENDING CRYPTO_WITHDRAWAL of ``total`` less the fee (:meth:`check_leg` first)
        that debits no balance: an orchestration's destination leg, paid by its source leg."""
        fee = network_fee(asset, network)
        return self.transfers.new(
            profile_id, total - fee, asset, fee=fee, direction="DEBIT",
            type="CRYPTO_WITHDRAWAL", status="PENDING", kind="withdrawal",
            destination_address=address, crypto_network=network,
            notional_value=usd_value(self.prices, asset, total, self.core.now), **fields,
        )  # fmt: skip

    def broadcast(self, transfer: Transfer, start: datetime, outcome: str = "COMPLETED",
                  refund: Callable[[], None] | None = None,
                  then: Callable[[datetime], None] | None = None) -> None:  # fmt: skip
        """The testnet confirms ``transfer`` the ``crypto_withdrawal`` delay after ``start``:
        a tx hash, COMPLETED (or FAILED, with the reason of a forced outcome in
        ``status_details``, and ``refund`` run); then ``then(when)``."""

        def run(when: datetime) -> None:
            if outcome != "COMPLETED":
                details = status_details(outcome, transfer)
                self.transfers.set_status(transfer, "FAILED", when, details)
                if refund is not None:
                    refund()
            else:
                rng = self.core.random("tx", transfer.id)
                transfer.crypto_tx_hash = make_tx_hash(str(transfer.crypto_network), rng)
                self.transfers.set_status(transfer, "COMPLETED", when)
            if then is not None:
                then(when)

        self.core.after("crypto_withdrawal", start, run)


def _check_sendable(asset: str, amount: Decimal, fee: Decimal) -> None:
    """400 unless ``amount`` is positive and within the sandbox cap of ``asset``."""
    if amount <= 0:
        raise bad_request(f"total must exceed the fee of {fmt_dec(fee)} {asset}")
    cap = Decimal(SANDBOX_CAPS.get(asset, "1000000"))
    if amount > cap:
        raise Problem(
            400,
            f"withdrawal amount {fmt_dec(amount)} exceeds withdrawal limit for this asset {asset}",
            title="Withdrawal Amount Too Large",
            slug="exceed-max-withdraw-limit",
            meta={"limit": fmt_dec(cap), "amount": fmt_dec(amount)},
        )
