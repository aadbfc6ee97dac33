"""Orchestrations (USD <-> stablecoin between profiles) and their rules: models and state.

An orchestration debits ``source_amount`` of the source asset from the source profile (its
source transfer) and credits the same amount of the destination asset to the destination
profile (its destination transfer). Both legs are Transfer records sharing ``group_id`` =
the orchestration id, typed INTERNAL_TRANSFER_DEBIT/CREDIT (the spec's TransferType has no
conversion type). Status is PROCESSING until the legs complete (the ``orchestration``
delay), announced as ``orchestration.created`` and ``orchestration.completed``; a failure
forced with ``emu.outcomes`` fails both legs, refunds the source and is announced as
``orchestration.failed``.
A sandbox deposit to the address of an ACTIVE rule starts an orchestration of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fmt import Wired, dumps, fmt_dec, fmt_ts
from ..networks import CRYPTO_NETWORKS
from ..problems import Problem, bad_request, not_found
from ..records import Transfer
from .addresses import Addresses
from .conversions import check_pair
from .core import Core, Family
from .fiat import Instructions
from .profiles import Profiles
from .transfers import Transfers

__all__ = ["RULE_ASSETS", "RULE_STATUSES", "Orchestration", "Orchestrations", "Rule"]


RULE_ASSETS = ("USDG", "PYUSD", "USDP", "USDC", "USD")
RULE_STATUSES = ("ACTIVE", "DELETED", "PENDING", "REJECTED", "CANCELLED")
# The reason a forced failure gives (Paxos documents the field, not its texts).
FAIL_DETAIL = "the orchestration failed: its source transfer was refunded"


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
        if self.status == "FAILED":
            out["fail_reason"] = {"detail": FAIL_DETAIL}
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


class Orchestrations(Family[Orchestration]):
    """Orchestrations and their rules (``rules``)."""

    def __init__(
        self,
        core: Core,
        profiles: Profiles,
        transfers: Transfers,
        addresses: Addresses,
        instructions: Instructions,
    ) -> None:
        super().__init__("orchestration")
        self.core, self.profiles = core, profiles
        self.transfers, self.addresses, self.instructions = transfers, addresses, instructions
        self.rules: Family[Rule] = Family("orchestration_rule")

    def reset(self) -> None:
        self.clear()
        self.rules.clear()

    # -- orchestrations -----------------------------------------------------------------------
    def find(self, ident: str) -> Orchestration:
        found = self.get(ident)
        if found is None:
            raise not_found(f"orchestration not found: {ident}")
        return found

    def create(self, ref_id: str, source: Any, destination: Any, assets: tuple[str, str],
               amount: Decimal, **fields: Any) -> Orchestration:  # fmt: skip
        """``CreateOrchestration``: 409 already-exists when ``ref_id`` is taken; ``source`` and
        ``destination`` are the request's objects (the default profile when omitted)."""
        self.check_ref(ref_id, "orchestration")
        source_id = self._profile_of(source, "source")
        target_id = self._profile_of(destination, "destination")
        self.transfers.balances.check(source_id, assets[0], amount)
        return self.start(
            ref_id=ref_id, source=source_id, destination=target_id, assets=assets,
            amount=amount, outcome=self.core.outcomes.take("CreateOrchestration"), **fields,
        )  # fmt: skip

    def _profile_of(self, part: Any, name: str) -> str:
        if part in (None, {}):
            return self.profiles.default_profile_id
        if not isinstance(part, dict) or set(part) - {"profile", "crypto", "fiat"}:
            raise bad_request(f"{name} must be an object with one of profile, crypto or fiat")
        if "profile" not in part:
            kinds = " and ".join(sorted(part))
            raise Problem(501, f"{name}.{kinds} is not emulated: use {name}.profile.profile_id")
        profile = part["profile"] or {}
        ident = profile.get("profile_id") if isinstance(profile, dict) else None
        return self.profiles.find(ident).id if ident else self.profiles.default_profile_id

    def start(self, *, ref_id: str, source: str, destination: str, assets: tuple[str, str],
              amount: Decimal, rule_id: str = "", outcome: str = "COMPLETED",
              **fields: Any) -> Orchestration:  # fmt: skip
        """Debit the source profile now, credit the destination at settlement (PROCESSING,
        then COMPLETED; or FAILED with the source refunded when ``outcome`` says so); 403
        when short of funds."""
        now, oid = self.core.now, self.core.new_id()

        def completed(when: datetime) -> None:  # both legs just completed (or failed)
            record = self.by_id[oid]
            self.core.changed(f"orchestration.{record.status.lower()}", record, when, "PROCESSING")

        debit, credit = self.transfers.open_pair(
            "orchestration", source=source, target=destination, amount=amount, assets=assets,
            kind="orchestration", group_id=oid,
            debit_fields={"metadata": {"orchestration_id": oid}},
            credit_fields={"metadata": {"orchestration_id": oid}}, on_complete=completed,
            outcome=outcome,
        )  # fmt: skip
        record = Orchestration(
            oid, self.core.customer_id, ref_id, source, destination, assets[0], assets[1],
            amount, now, debit, credit, rule_id, **fields,
        )  # fmt: skip
        self.add(record)
        self.core.changed("orchestration.created", record, now)
        return record

    def on_deposit(self, deposit: Transfer) -> None:
        """Start the orchestration of the ACTIVE rule whose crypto address got ``deposit``."""
        for rule in self.rules:
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
                    return  # a pair the emulator cannot convert (e.g. USDC): the deposit lands
                self.start(
                    ref_id=f"rule-{rule.id}-{deposit.id}", source=deposit.profile_id,
                    destination=rule.destination["profile"]["profile_id"],
                    assets=(rule.source_asset, rule.destination_asset), amount=deposit.total,
                    rule_id=rule.id,
                )  # fmt: skip
                return

    def on_fiat_deposit(self, deposit: Transfer, rule_id: str) -> None:
        """Start the orchestration of rule ``rule_id``, whose instructions got ``deposit``."""
        rule = self.rules.get(rule_id)
        if rule is None or rule.status != "ACTIVE" or "profile" not in rule.destination:
            return
        try:
            check_pair(deposit.asset, rule.destination_asset)
        except Problem:
            return  # a pair the emulator cannot convert: the deposit simply lands
        self.start(
            ref_id=f"rule-{rule.id}-{deposit.id}", source=deposit.profile_id,
            destination=rule.destination["profile"]["profile_id"],
            assets=(deposit.asset, rule.destination_asset), amount=deposit.total, rule_id=rule.id,
        )  # fmt: skip

    # -- rules --------------------------------------------------------------------------------
    def find_rule(self, ident: str) -> Rule:
        found = self.rules.get(ident)
        if found is None:
            raise not_found(f"orchestration rule not found: {ident}")
        return found

    def create_rule(self, ref_id: str, profile_id: str, assets: tuple[str, str],
                    source: Any, destination: Any, **fields: Any) -> Rule:  # fmt: skip
        """A new ACTIVE rule (409 already-exists when ``ref_id`` is taken); a crypto source
        gets a new deposit address of the profile, a fiat one deposit instructions.

        ``source``, ``destination``: the request's objects; ``fields``: ``nickname``,
        ``identity_id``, ``account_id``.
        """
        self.rules.check_ref(ref_id, "orchestration rule")
        profile = self.profiles.find(profile_id)
        target = self._destination(profile.id, destination)
        now = self.core.now
        rule_id = self.core.new_id()
        rule = Rule(
            rule_id, ref_id, profile.id, assets[0], assets[1],
            self._source(profile.id, source, rule_id), target, now, **fields,
        )  # fmt: skip
        self.rules.add(rule)
        self.core.changed("orchestration_rule.created", rule, now)
        return rule

    def delete_rule(self, rule: Rule) -> Rule:
        rule.status = "DELETED"
        self.core.changed("orchestration_rule.deleted", rule)
        return rule

    def _destination(self, profile_id: str, destination: Any) -> dict[str, Any]:
        if destination in (None, {}):
            return {"profile": {"profile_id": profile_id}}
        if not isinstance(destination, dict) or len(destination) != 1:
            raise bad_request(
                "destination must be an object with exactly one of profile, crypto or fiat"
            )
        kind, spec = next(iter(destination.items()))
        spec = spec if isinstance(spec, dict) else {}
        if kind == "profile":
            ident = spec.get("profile_id") or profile_id
            return {"profile": {"profile_id": self.profiles.find(ident).id}}
        if kind == "fiat" and spec.get("fiat_account_id"):
            return {"fiat": {k: spec[k] for k in ("fiat_account_id", "memo") if spec.get(k)}}
        raise Problem(
            501, f"destination.{kind} is not emulated: use destination.profile or destination.fiat"
        )

    def _source(self, profile_id: str, source: Any, rule_id: str) -> dict[str, Any]:
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
            address = self.addresses.create(profile_id, network, self.core.now)
            return {
                "crypto": {
                    "address_id": address.id,
                    "address": address.address,
                    "network": network,
                }
            }
        if network not in ("WIRE", "CUBIX"):
            raise bad_request(f"source.fiat.network invalid: '{network}' is not one of WIRE, CUBIX")
        account_type = spec.get("account_type")
        if network == "WIRE" and account_type not in ("ABA", "SWIFT"):
            raise bad_request("source.fiat.account_type must be ABA or SWIFT for WIRE")
        # The rule's own deposit instructions: a sandbox fiat deposit quoting their memo_id
        # starts the rule's conversion.
        made = self.instructions.create(profile_id, network, account_type, rule_id=rule_id)
        fiat = {"deposit_instructions_id": made.id, "network": network}
        if account_type:
            fiat["account_type"] = account_type
        fiat["memo_id"] = made.memo_id
        return {"fiat": fiat}
