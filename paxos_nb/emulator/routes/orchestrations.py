"""Orchestrations (USD <-> stablecoin between profiles) and their rules (API-BRIEF.md 10.7).

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

from .. import cursors
from ..fmt import (
    Wired,
    body_of,
    check_precision,
    compare_filters,
    dumps,
    fmt_dec,
    fmt_ts,
    metadata_of,
    opt_str,
    parse_amount,
    query_list,
    require,
    time_ok,
)
from ..problems import Problem, already_exists, bad_request, not_found
from ..records import Transfer
from ..seed import CRYPTO_NETWORKS
from . import Call, handles
from ._shared import ledger_of, listing
from .conversions import check_pair
from .deposit_addresses import new_address

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


def start(led, now: datetime, *, ref_id: str, source: str, destination: str, assets, amount,
          rule_id: str = "", **fields: Any) -> Orchestration:  # fmt: skip
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
    return led.orchestrations.add(record)


def _profile_of(led, part: Any, name: str) -> str:
    """The profile of ``source``/``destination`` (the default profile when omitted)."""
    if part in (None, {}):
        return led.default_profile_id
    if not isinstance(part, dict) or set(part) - {"profile", "crypto", "fiat"}:
        raise bad_request(f"{name} must be an object with one of profile, crypto or fiat")
    if "profile" not in part:
        kinds = " and ".join(sorted(part))
        raise Problem(501, f"{name}.{kinds} is not emulated: use {name}.profile.profile_id")
    profile = part["profile"] or {}
    ident = profile.get("profile_id") if isinstance(profile, dict) else None
    return led.profile(ident).id if ident else led.default_profile_id


@handles("CreateOrchestration")
def create_orchestration(call: Call) -> dict[str, Any]:
    body = body_of(call)
    require(body, "ref_id", "source_asset", "destination_asset", "source_amount")
    source_asset, destination_asset = body["source_asset"], body["destination_asset"]
    check_pair(source_asset, destination_asset)
    amount = parse_amount(body["source_amount"], "source_amount")
    check_precision(amount, "USD", 2)
    ref_id = body["ref_id"]
    with ledger_of(call).at(call.now) as led:
        if existing := led.orchestrations.refs.get(ref_id):
            raise already_exists(
                f"orchestration already exists with ref_id '{ref_id}'", existing.to_json()
            )
        source = _profile_of(led, body.get("source"), "source")
        destination = _profile_of(led, body.get("destination"), "destination")
        record = start(
            led, led.now, ref_id=ref_id, source=source, destination=destination,
            assets=(source_asset, destination_asset), amount=amount,
            metadata=metadata_of(body), identity_id=opt_str(body, "identity_id"),
            account_id=opt_str(body, "account_id"),
        )  # fmt: skip
        return record.to_json()


@handles("GetOrchestration")
def get_orchestration(call: Call) -> dict[str, Any]:
    with ledger_of(call).at(call.now) as led:
        record = led.orchestrations.get(call.path_params["id"])
        if record is None:
            raise not_found(f"orchestration not found: {call.path_params['id']}")
        return record.to_json()


@handles("ListOrchestrations")
def list_orchestrations(call: Call) -> dict[str, Any]:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    created = compare_filters(q, "created_at")
    f = {name: set(query_list(q, name)) for name in (
        "orchestration_rule_id", "source_asset", "destination_asset", "status", "profile_id",
        "orchestration_id", "ref_id",
    )}  # fmt: skip

    def keep(r: Orchestration) -> bool:
        checks = (
            ("orchestration_rule_id", {r.rule_id}),
            ("source_asset", {r.source_asset}),
            ("destination_asset", {r.destination_asset}),
            ("status", {r.status}),
            ("profile_id", {r.source_profile_id, r.destination_profile_id}),
            ("orchestration_id", {r.id}),
            ("ref_id", {r.ref_id}),
        )
        return all(not f[n] or f[n] & v for n, v in checks) and time_ok(r.created_at, created)

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.orchestrations.created, kind="orchestrations", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        # Since 2026-02 Paxos returns `items` next to the old `orchestrations` key.
        return listing(found, cursor, "items", "orchestrations")


def _rule_source(led, now: datetime, profile_id: str, source: Any) -> dict[str, Any]:
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


def _rule_destination(led, profile_id: str, destination: Any) -> dict[str, Any]:
    if destination in (None, {}):
        return {"profile": {"profile_id": profile_id}}
    if not isinstance(destination, dict) or len(destination) != 1:
        raise bad_request(
            "destination must be an object with exactly one of profile, crypto or fiat"
        )
    kind, spec = next(iter(destination.items()))
    spec = spec if isinstance(spec, dict) else {}
    if kind == "profile":
        return {"profile": {"profile_id": led.profile(spec.get("profile_id") or profile_id).id}}
    if kind == "fiat" and spec.get("fiat_account_id"):
        return {"fiat": {k: spec[k] for k in ("fiat_account_id", "memo") if spec.get(k)}}
    raise Problem(
        501, f"destination.{kind} is not emulated: use destination.profile or destination.fiat"
    )


@handles("CreateOrchestrationRule")
def create_rule(call: Call) -> dict[str, Any]:
    body = body_of(call)
    require(body, "ref_id", "profile_id", "source_asset", "destination_asset", "source")
    for name in ("source_asset", "destination_asset"):
        if body[name] not in RULE_ASSETS:
            raise bad_request(
                f"{name} invalid: '{body[name]}' is not one of {', '.join(RULE_ASSETS)}"
            )
    if body["source_asset"] == body["destination_asset"]:
        raise bad_request("source_asset and destination_asset must differ")
    with ledger_of(call).at(call.now) as led:
        if existing := led.rules.refs.get(body["ref_id"]):
            raise already_exists(
                f"orchestration rule already exists with ref_id '{body['ref_id']}'",
                existing.to_json(),
            )
        profile = led.profile(body["profile_id"])
        destination = _rule_destination(led, profile.id, body.get("destination"))
        rule = Rule(
            led.new_id(), body["ref_id"], profile.id, body["source_asset"],
            body["destination_asset"], _rule_source(led, led.now, profile.id, body["source"]),
            destination, led.now, opt_str(body, "nickname"), opt_str(body, "identity_id"),
            opt_str(body, "account_id"),
        )  # fmt: skip
        led.rules.add(rule)
        return {"rule": rule.to_json()}


@handles("DeleteOrchestrationRule")
def delete_rule(call: Call) -> dict[str, Any]:
    with ledger_of(call).at(call.now) as led:
        rule = led.rules.get(call.path_params["id"])
        if rule is None:
            raise not_found(f"orchestration rule not found: {call.path_params['id']}")
        rule.status = "DELETED"
        return {"rule": rule.to_json()}


@handles("ListOrchestrationRules")
def list_rules(call: Call) -> dict[str, Any]:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    statuses = set(query_list(q, "status", RULE_STATUSES))
    ids = set(query_list(q, "ids"))
    profile_id, source, destination = (
        q.get(n) for n in ("profile_id", "source_asset", "destination_asset")
    )

    def keep(r: Rule) -> bool:
        return (
            (not statuses or r.status in statuses)
            and (not ids or r.id in ids)
            and (not profile_id or r.profile_id == profile_id)
            and (not source or r.source_asset == source)
            and (not destination or r.destination_asset == destination)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.rules.created, kind="rules", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "items", "rules")


def on_deposit(led, now: datetime, deposit: Transfer) -> None:
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
