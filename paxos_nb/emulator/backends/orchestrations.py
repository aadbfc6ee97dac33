"""Orchestrations (USD <-> stablecoin between profiles) and their rules: models and state.

An orchestration debits ``source_amount`` of the source asset from the source profile (its
source transfer) and credits the same amount of the destination asset to the destination
profile (its destination transfer). Both legs are Transfer records sharing ``group_id`` =
the orchestration id, typed INTERNAL_TRANSFER_DEBIT/CREDIT (the spec's TransferType has no
conversion type). Status is PROCESSING until the legs complete, ``settle_after`` later.
A sandbox deposit to the address of an ACTIVE rule starts an orchestration of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fmt import Wired, dumps, fmt_dec, fmt_ts
from ..problems import Problem, bad_request
from ..records import Transfer
from ..seed import CRYPTO_NETWORKS
from .addresses import new_address
from .conversions import check_pair

__all__ = [
    "RULE_ASSETS",
    "RULE_STATUSES",
    "Orchestration",
    "Rule",
    "on_deposit",
    "rule_source",
    "start",
]


RULE_ASSETS = ("USDG", "PYUSD", "USDP", "USDC", "USD")
RULE_STATUSES = ("ACTIVE", "DELETED", "PENDING", "REJECTED", "CANCELLED")


@dataclass
class Orchestration:
    id: str
    customer_id: str
    ref_id: str
    source_profile_id: str
    destination_profile_id: str
    source_asset: str
    destination_asset: str
    source_amount: Decimal
    created_at: datetime
    source_transfer: Transfer
    destination_transfer: Transfer
    rule_id: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    identity_id: str | None = None
    account_id: str | None = None

    @property
    def status(self) -> str:
        legs = (self.source_transfer.status, self.destination_transfer.status)
        if "FAILED" in legs:
            return "FAILED"
        return "COMPLETED" if legs == ("COMPLETED", "COMPLETED") else "PROCESSING"

    def wire(self) -> bytes:
        """Encoded afresh each time: the status comes from the legs."""
        return dumps(self.to_json())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "profile_id": self.source_profile_id}
        if self.identity_id:
            out["identity_id"] = self.identity_id
        if self.account_id:
            out["account_id"] = self.account_id
        out.update(
            customer_id=self.customer_id,
            ref_id=self.ref_id,
            source_asset=self.source_asset,
            destination_asset=self.destination_asset,
            source_amount=fmt_dec(self.source_amount),
            source_transfer=_leg(self.source_transfer),
            destination_transfer=_leg(self.destination_transfer),
            status=self.status,
            source={"profile": {"profile_id": self.source_profile_id}},
            destination={"profile": {"profile_id": self.destination_profile_id}},
        )
        if self.rule_id:
            out["orchestration_rule_id"] = self.rule_id
        updated = max(self.source_transfer.updated_at, self.destination_transfer.updated_at)
        out.update(created_at=fmt_ts(self.created_at), updated_at=fmt_ts(updated))
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


def _leg(transfer: Transfer) -> dict[str, str]:
    return {"transfer_id": transfer.id, "status": transfer.status}


@dataclass
class Rule(Wired):
    id: str
    ref_id: str
    profile_id: str
    source_asset: str
    destination_asset: str
    source: dict[str, Any]
    destination: dict[str, Any]
    created_at: datetime
    nickname: str | None = None
    identity_id: str | None = None
    account_id: str | None = None
    status: str = "ACTIVE"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "ref_id": self.ref_id}
        if self.nickname:
            out["nickname"] = self.nickname
        out["profile_id"] = self.profile_id
        if self.identity_id:
            out["identity_id"] = self.identity_id
        if self.account_id:
            out["account_id"] = self.account_id
        out.update(
            status=self.status,
            source_asset=self.source_asset,
            destination_asset=self.destination_asset,
            source=self.source,
            destination=self.destination,
            created_at=fmt_ts(self.created_at),
        )
        return out


def start(led: Any, now: datetime, *, ref_id: str, source: str, destination: str,
          assets: tuple[str, str], amount: Decimal, rule_id: str = "",
          **fields: Any) -> Orchestration:  # fmt: skip
    """Debit the source now, credit the destination at settlement; 403 when short of funds."""
    oid = led.new_id()
    debit, credit = led.open_pair(
        now, source=source, target=destination, amount=amount, assets=assets,
        kind="orchestration", group_id=oid, debit_fields={"metadata": {"orchestration_id": oid}},
        credit_fields={"metadata": {"orchestration_id": oid}},
    )  # fmt: skip
    record = Orchestration(
        oid, led.customer_id, ref_id, source, destination, assets[0], assets[1], amount, now,
        debit, credit, rule_id, **fields,
    )  # fmt: skip
    led.orchestrations.add(record)
    led.core.changed("orchestration.created", record, now)
    return record


def rule_source(led: Any, now: datetime, profile_id: str, source: Any) -> dict[str, Any]:
    if (
        not isinstance(source, dict)
        or len(source) != 1
        or next(iter(source)) not in ("crypto", "fiat")
    ):
        raise bad_request("source must be an object with exactly one of crypto or fiat")
    kind, spec = next(iter(source.items()))
    spec = spec if isinstance(spec, dict) else {}
    network = spec.get("network")
    if kind == "crypto":
        if network not in CRYPTO_NETWORKS:
            raise bad_request(
                f"source.crypto.network invalid: '{network}' is not a supported network"
            )
        address = new_address(led, now, profile_id, network)
        return {
            "crypto": {"address_id": address.id, "address": address.address, "network": network}
        }
    if network not in ("WIRE", "CUBIX"):
        raise bad_request(f"source.fiat.network invalid: '{network}' is not one of WIRE, CUBIX")
    account_type = spec.get("account_type")
    if network == "WIRE" and account_type not in ("ABA", "SWIFT"):
        raise bad_request("source.fiat.account_type must be ABA or SWIFT for WIRE")
    fiat = {"deposit_instructions_id": led.new_id(), "network": network}
    if account_type:
        fiat["account_type"] = account_type
    fiat["memo_id"] = led.random("memo", fiat["deposit_instructions_id"]).randbytes(5).hex().upper()
    return {"fiat": fiat}


def on_deposit(led: Any, now: datetime, deposit: Transfer) -> None:
    """Start the orchestration of the ACTIVE rule whose crypto address received ``deposit``."""
    for rule in led.rules:
        crypto = rule.source.get("crypto") or {}
        if (
            rule.status == "ACTIVE"
            and crypto.get("address") == deposit.destination_address
            and rule.source_asset == deposit.asset
            and "profile" in rule.destination
        ):
            try:
                check_pair(rule.source_asset, rule.destination_asset)
            except Problem:
                return  # a pair the emulator cannot convert (e.g. USDC): the deposit just lands
            start(
                led, now, ref_id=f"rule-{rule.id}-{deposit.id}", source=deposit.profile_id,
                destination=rule.destination["profile"]["profile_id"],
                assets=(rule.source_asset, rule.destination_asset), amount=deposit.total,
                rule_id=rule.id,
            )  # fmt: skip
            return
