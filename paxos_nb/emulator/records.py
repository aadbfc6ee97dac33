"""The emulator's records and how each renders as Paxos JSON.

Records keep exact ``Decimal`` amounts and aware ``datetime`` instants; ``to_json`` turns them
into the wire shapes of the spec (decimal strings, RFC 3339 ``Z`` timestamps) with a fixed key
order, so two emulators with the same seed answer byte for byte the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from .fmt import NIL_UUID, Wired, fmt_dec, fmt_fixed, fmt_ts

# Asset precision (decimals accepted in amounts): on-chain decimals for crypto, cents for fiat.
ASSETS = {
    "USD": 2, "EUR": 2, "SGD": 2, "BTC": 8, "ETH": 18, "PAXG": 18, "BCH": 8, "LTC": 8,
    "SOL": 9, "LINK": 18, "AAVE": 18, "UNI": 18, "MATIC": 18, "USDP": 18, "PYUSD": 6,
    "USDG": 6, "USDC": 6,
}  # fmt: skip
FIAT = ("USD", "EUR", "SGD")
TRANSFER_TYPES = (
    "INTERNAL_TRANSFER_DEBIT", "INTERNAL_TRANSFER_CREDIT", "CRYPTO_DEPOSIT", "CRYPTO_WITHDRAWAL",
    "WIRE_DEPOSIT", "WIRE_WITHDRAWAL", "SEN_DEPOSIT", "SEN_WITHDRAWAL", "BANK_DEPOSIT",
    "BANK_WITHDRAWAL", "PAXOS_TRANSFER_DEBIT", "PAXOS_TRANSFER_CREDIT", "SIGNET_DEPOSIT",
    "SIGNET_WITHDRAWAL", "CBIT_WITHDRAWAL", "CBIT_DEPOSIT", "CUBIX_DEPOSIT", "CUBIX_WITHDRAWAL",
    "RTP_DEPOSIT",  # added by the changelog on 2026-02, not in the yaml
)  # fmt: skip
PAXOS_STABLECOINS = ("USDP", "PYUSD", "USDG")


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set optional fields only when they carry a value (Paxos omits empty optionals)."""
    if value not in (None, "", {}):
        out[key] = value


@dataclass
class Transfer(Wired):
    id: str
    customer_id: str
    profile_id: str
    amount: Decimal
    fee: Decimal
    asset: str
    direction: str  # CREDIT | DEBIT
    type: str
    status: str  # PENDING | COMPLETED | FAILED
    created_at: datetime
    updated_at: datetime
    kind: str  # deposit | withdrawal | internal | orchestration | paxos: how audit() counts it
    # {status type: {"message", type-specific fields}}: why a transfer failed (spec Transfer,
    # e.g. max_rent_exceeded {message, destination_address}); None: not sent
    status_details: dict[str, dict[str, str]] | None = None
    balance_asset: str = ""
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # {from_transfer_id} on a withdrawal a rule's deposit set off, {to_transfer_id} on that deposit
    auto_conversion: dict[str, str] = field(default_factory=dict)
    group_id: str | None = None
    destination_address: str | None = None
    crypto_network: str | None = None
    crypto_tx_hash: str | None = None
    crypto_tx_index: str | None = None
    fiat_account_id: str | None = None
    notional_value: Decimal | None = None
    memo: str | None = None
    identity_id: str | None = None
    account_id: str | None = None
    secondary_status: dict[str, str] | None = None  # {name, detail}: e.g. travel-rule holds

    def __post_init__(self) -> None:
        self.balance_asset = self.balance_asset or self.asset

    @property
    def total(self) -> Decimal:
        """Balance change: amount - fee for credits, amount + fee for debits (unsigned)."""
        return self.amount - self.fee if self.direction == "CREDIT" else self.amount + self.fee

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "customer_id": self.customer_id}
        out["profile_id"] = self.profile_id
        _put(out, "identity_id", self.identity_id)
        _put(out, "account_id", self.account_id)
        _put(out, "ref_id", self.ref_id)
        out.update(
            amount=fmt_dec(self.amount),
            total=fmt_dec(self.total),
            fee=fmt_dec(self.fee),
            asset=self.asset,
            balance_asset=self.balance_asset,
            direction=self.direction,
            type=self.type,
            status=self.status,
        )
        if self.secondary_status:
            out["secondary_status"] = dict(self.secondary_status)
        if self.status_details:
            out["status_details"] = {k: dict(v) for k, v in self.status_details.items()}
        out.update(created_at=fmt_ts(self.created_at), updated_at=fmt_ts(self.updated_at))
        _put(out, "metadata", dict(self.metadata))
        _put(out, "auto_conversion", dict(self.auto_conversion))
        _put(out, "group_id", self.group_id)
        _put(out, "destination_address", self.destination_address)
        _put(out, "crypto_network", self.crypto_network)
        _put(out, "crypto_tx_hash", self.crypto_tx_hash)
        _put(out, "crypto_tx_index", self.crypto_tx_index)
        _put(out, "fiat_account_id", self.fiat_account_id)
        if self.notional_value is not None:
            out["notional_value"] = fmt_fixed(self.notional_value, 2)
        _put(out, "memo", self.memo)
        return out


@dataclass
class DepositAddress(Wired):
    id: str
    customer_id: str
    profile_id: str
    crypto_network: str
    address: str
    compatible: list[str]
    created_at: datetime
    conversion_target_asset: str = "NO_CONVERSION"
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    identity_id: str | None = None
    account_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "profile_id": self.profile_id,
            "customer_id": self.customer_id,
            "crypto_network": self.crypto_network,
        }
        _put(out, "identity_id", self.identity_id)
        _put(out, "ref_id", self.ref_id)
        _put(out, "metadata", dict(self.metadata))
        out["address"] = self.address
        _put(out, "account_id", self.account_id)
        out["conversion_target_asset"] = self.conversion_target_asset
        out["compatible_crypto_networks"] = list(self.compatible)
        out["created_at"] = fmt_ts(self.created_at)
        return out


@dataclass
class WithdrawalFee(Wired):
    id: str
    fee: Decimal
    asset: str
    expires_at: datetime
    destination_address: str
    crypto_network: str
    amount: Decimal
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fee": fmt_dec(self.fee),
            "asset": self.asset,
            "expires_at": fmt_ts(self.expires_at),
            "destination_address": self.destination_address,
            "crypto_network": self.crypto_network,
            "amount": fmt_dec(self.amount),
            "total": fmt_dec(self.total),
        }


@dataclass
class StablecoinConversion(Wired):
    id: str
    profile_id: str
    amount: Decimal
    source_asset: str
    target_asset: str
    status: str  # CREATED | SETTLED | CANCELLED
    created_at: datetime
    updated_at: datetime
    recipient_profile_id: str
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    identity_id: str | None = None
    account_id: str | None = None
    settled_at: datetime | None = None
    cancelled_at: datetime | None = None

    def flows(self) -> list[tuple[str, str, Decimal]]:
        """Debited at CREATED (in flight), converted at SETTLED, refunded when CANCELLED."""
        if self.status == "CREATED":
            return [(self.source_asset, "in_flight", self.amount)]
        if self.status == "SETTLED":
            return [
                (self.source_asset, "conversions", -self.amount),
                (self.target_asset, "conversions", self.amount),
            ]
        return []

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "profile_id": self.profile_id,
            "amount": fmt_dec(self.amount),
            "source_asset": self.source_asset,
            "target_asset": self.target_asset,
            "status": self.status,
        }
        _put(out, "ref_id", self.ref_id)
        out["identity_id"] = self.identity_id or NIL_UUID  # as in the spec's examples
        out["account_id"] = self.account_id or NIL_UUID
        out["created_at"] = fmt_ts(self.created_at)
        out["updated_at"] = fmt_ts(self.updated_at)
        if self.settled_at:
            out["settled_at"] = fmt_ts(self.settled_at)
        if self.cancelled_at:
            out["cancelled_at"] = fmt_ts(self.cancelled_at)
        _put(out, "metadata", dict(self.metadata))
        if self.recipient_profile_id != self.profile_id:
            out["recipient_profile_id"] = self.recipient_profile_id
        return out
