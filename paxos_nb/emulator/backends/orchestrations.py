"""Orchestrations (USD <-> stablecoin) and their rules: models and state.

An orchestration debits ``source_amount`` of the source asset from the source profile (its
source transfer, INTERNAL_TRANSFER_DEBIT) and pays the same amount of the destination asset:
to a profile (an INTERNAL_TRANSFER_CREDIT: the spec's TransferType has no conversion type),
or out through a withdrawal to a crypto destination address or a fiat account (its
destination transfer; see ``orchestration_targets.py``). The legs share ``group_id`` = the
orchestration id. Status is PROCESSING until the legs complete (the ``orchestration`` delay,
then the withdrawal's own delay), announced as ``orchestration.created`` and
``orchestration.completed``; a failure forced with ``emu.outcomes`` fails both legs at the
conversion, refunds the source and is announced as ``orchestration.failed``.
A sandbox deposit to the address or deposit instructions of an ACTIVE rule starts an
orchestration of that rule; when it ends in a withdrawal, the deposit's and the withdrawal's
``auto_conversion`` name each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fmt import Wired, dumps, fmt_dec, fmt_ts
from ..networks import CRYPTO_NETWORKS
from ..problems import Problem, bad_request, not_found
from ..records import Transfer
from .addresses import Addresses
from .core import Core, Family
from .fiat import Instructions
from .orchestration_targets import Target, Targets, check_assets
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
    destination: dict[str, Any]  # the answer's destination object
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
    origin: dict[str, Any] = field(default_factory=dict)  # a rule's source; else the profile

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
            source=self.origin or {"profile": {"profile_id": self.source_profile_id}},
            destination=self.destination,
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

    def flows(self) -> list[tuple[str, str, Decimal]]:
        """For ``ledger.audit()``: the destination asset a paying-out orchestration converts
        into (its withdrawal leg spends it), unless that leg failed. A profile destination's
        credit leg counts itself."""
        leg = self.destination_transfer
        if "profile" in self.destination or leg.status == "FAILED":
            return []
        return [(leg.balance_asset, "conversions", leg.total)]


def _origin(source: dict[str, Any]) -> dict[str, Any]:
    """The ``source`` of an orchestration a rule started: the rule's address or instructions."""
    if "crypto" in source:
        crypto = source["crypto"]
        return {"crypto": {k: crypto[k] for k in ("address_id", "address", "network")}}
    fiat = source["fiat"]
    return {"fiat": {"deposit_instructions_id": fiat["deposit_instructions_id"],
                     "memo": fiat["memo_id"]}}  # fmt: skip


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
        targets: Targets,
    ) -> None:
        super().__init__("orchestration")
        self.core, self.profiles = core, profiles
        self.transfers, self.addresses, self.instructions = transfers, addresses, instructions
        self.targets = targets
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
        source_id = self._source_profile(source)
        target = self.targets.parse(destination, self.profiles.default_profile_id, rule=False)
        check_assets(target, *assets)
        self.transfers.balances.check(source_id, assets[0], amount)
        return self.start(
            ref_id=ref_id, source=source_id, target=target, assets=assets, amount=amount,
            outcome=self.core.outcomes.take("CreateOrchestration"), **fields,
        )  # fmt: skip

    def _source_profile(self, part: Any) -> str:
        """The profile of an ad-hoc ``source``: omitted, the default profile. The spec's
        CreateOrchestrationRequestSource has ``profile`` only (request validation discards
        anything else), so a source without it is refused rather than read as the default:
        crypto and fiat sources are a rule's."""
        if part is None:
            return self.profiles.default_profile_id
        if not isinstance(part, dict) or "profile" not in part:
            raise bad_request(
                "source must be source.profile (omit source for the default profile): an "
                "ad-hoc orchestration is paid from a profile; crypto and fiat sources belong "
                "to orchestration rules (POST /orchestration/rules)"
            )
        profile = part["profile"] or {}
        ident = profile.get("profile_id") if isinstance(profile, dict) else None
        return self.profiles.find(ident).id if ident else self.profiles.default_profile_id

    def start(self, *, ref_id: str, source: str, target: Target, assets: tuple[str, str],
              amount: Decimal, rule_id: str = "", outcome: str = "COMPLETED",
              deposit: Transfer | None = None, **fields: Any) -> Orchestration:  # fmt: skip
        """Debit the source profile now and pay ``target`` (PROCESSING, then COMPLETED; or
        FAILED with the source refunded when ``outcome`` says so). ``deposit``: the rule's
        deposit that set it off. 400 when a withdrawal leg cannot carry it, 403 when the
        identity's controls refuse withdrawals."""
        if target.pays_out:
            self.targets.check_leg(target, assets[1], amount, fields.get("identity_id"))
        now, oid = self.core.now, self.core.new_id()

        def finished(when: datetime) -> None:  # both legs are final
            record = self.by_id[oid]
            self.core.changed(f"orchestration.{record.status.lower()}", record, when, "PROCESSING")

        tagged = {"metadata": {"orchestration_id": oid}}
        if target.pays_out:
            debit, credit = self._open_payout(
                oid, source, target, assets, amount, outcome, tagged, deposit, finished
            )
        else:
            debit, credit = self.transfers.open_pair(
                "orchestration", source=source, target=target.profile_id, amount=amount,
                assets=assets, kind="orchestration", group_id=oid, debit_fields=tagged,
                credit_fields=tagged, on_complete=finished, outcome=outcome,
            )  # fmt: skip
        record = Orchestration(
            oid, self.core.customer_id, ref_id, source, dict(target.echo), assets[0],
            assets[1], amount, now, debit, credit, rule_id, **fields,
        )  # fmt: skip
        self.add(record)
        self.core.changed("orchestration.created", record, now)
        if deposit is not None and target.pays_out:
            self.transfers.link_conversion(deposit, credit, now)
        return record

    def _open_payout(self, oid: str, source: str, target: Target, assets: tuple[str, str],
                     amount: Decimal, outcome: str, tagged: dict[str, Any],
                     deposit: Transfer | None, finished: Callable[[datetime], None],
                     ) -> tuple[Transfer, Transfer]:  # fmt: skip
        """The source debit and the withdrawal leg: converted the ``orchestration`` delay
        from now, then sent on the withdrawal's rail."""
        transfers, now = self.transfers, self.core.now
        transfers.balances.debit(source, assets[0], amount)
        debit = transfers.new(
            source, amount, assets[0], direction="DEBIT", type="INTERNAL_TRANSFER_DEBIT",
            status="PENDING", kind="orchestration", group_id=oid, **tagged,
        )  # fmt: skip
        linked = {"auto_conversion": {"from_transfer_id": deposit.id}} if deposit else {}
        leg = self.targets.open_leg(
            target, source, assets[1], amount, group_id=oid, **tagged, **linked
        )

        def convert(when: datetime) -> None:
            if outcome == "FAILED":  # never converted: nothing is sent, the source is refunded
                transfers.set_status(debit, "FAILED", when)
                transfers.set_status(leg, "FAILED", when)
                transfers.balances.credit(source, assets[0], amount)
                finished(when)
                return
            transfers.set_status(debit, "COMPLETED", when)
            self.targets.send(target, leg, when, finished)

        self.core.after("orchestration", now, convert)
        return debit, leg

    def on_deposit(self, deposit: Transfer) -> None:
        """Start the orchestration of the ACTIVE rule whose crypto address got ``deposit``."""
        for rule in self.rules:
            crypto = rule.source.get("crypto") or {}
            if (
                rule.status == "ACTIVE"
                and crypto.get("address") == deposit.destination_address
                and rule.source_asset == deposit.asset
            ):
                self._run_rule(rule, deposit, rule.source_asset)
                return

    def on_fiat_deposit(self, deposit: Transfer, rule_id: str) -> None:
        """Start the orchestration of rule ``rule_id``, whose instructions got ``deposit``."""
        rule = self.rules.get(rule_id)
        if rule is not None and rule.status == "ACTIVE":
            self._run_rule(rule, deposit, deposit.asset)

    def _run_rule(self, rule: Rule, deposit: Transfer, source_asset: str) -> None:
        """The rule's orchestration of ``deposit``; a deposit the rule cannot convert or
        send (a pair the emulator does not convert, e.g. USDC; an account no longer
        approved; limits) simply lands."""
        try:
            target = self.targets.of_rule(rule.destination)
            check_assets(target, source_asset, rule.destination_asset)
            self.start(
                ref_id=f"rule-{rule.id}-{deposit.id}", source=deposit.profile_id, target=target,
                assets=(source_asset, rule.destination_asset), amount=deposit.total,
                rule_id=rule.id, deposit=deposit, origin=_origin(rule.source),
            )  # fmt: skip
        except Problem:
            return

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
        target = self.targets.parse(destination, profile.id, rule=True)
        self.targets.check_receives(target, assets[1])
        now = self.core.now
        rule_id = self.core.new_id()
        rule = Rule(
            rule_id, ref_id, profile.id, assets[0], assets[1],
            self._source(profile.id, source, rule_id), self.targets.rule_form(target), now,
            **fields,
        )  # fmt: skip
        self.rules.add(rule)
        self.core.changed("orchestration_rule.created", rule, now)
        return rule

    def delete_rule(self, rule: Rule) -> Rule:
        rule.status = "DELETED"
        self.core.changed("orchestration_rule.deleted", rule)
        return rule

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
