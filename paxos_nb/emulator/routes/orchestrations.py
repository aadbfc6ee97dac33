"""Orchestrations (USD <-> stablecoin between profiles) and their rules (API-BRIEF.md 10.7).

An orchestration debits ``source_amount`` of the source asset from the source profile (its
source transfer) and credits the same amount of the destination asset to the destination
profile (its destination transfer). Both legs are Transfer records sharing ``group_id`` =
the orchestration id, typed INTERNAL_TRANSFER_DEBIT/CREDIT (the spec's TransferType has no
conversion type). Status is PROCESSING until the legs complete, ``settle_after`` later.
A sandbox deposit to the address of an ACTIVE rule starts an orchestration of that rule.
"""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.conversions import check_pair
from ..backends.orchestrations import (
    RULE_ASSETS,
    RULE_STATUSES,
    Orchestration,
    Rule,
    rule_source,
    start,
)
from ..fmt import (
    body_of,
    check_precision,
    compare_filters,
    metadata_of,
    opt_str,
    parse_amount,
    query_list,
    require,
    time_ok,
)
from ..problems import Problem, already_exists, bad_request, not_found
from . import Body, Call, handles
from ._shared import ledger_of, listing


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
def create_orchestration(call: Call) -> Body:
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
def get_orchestration(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        record = led.orchestrations.get(call.path_params["id"])
        if record is None:
            raise not_found(f"orchestration not found: {call.path_params['id']}")
        return record.to_json()


@handles("ListOrchestrations")
def list_orchestrations(call: Call) -> Body:
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
def create_rule(call: Call) -> Body:
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
            body["destination_asset"], rule_source(led, led.now, profile.id, body["source"]),
            destination, led.now, opt_str(body, "nickname"), opt_str(body, "identity_id"),
            opt_str(body, "account_id"),
        )  # fmt: skip
        led.rules.add(rule)
        return {"rule": rule.to_json()}


@handles("DeleteOrchestrationRule")
def delete_rule(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        rule = led.rules.get(call.path_params["id"])
        if rule is None:
            raise not_found(f"orchestration rule not found: {call.path_params['id']}")
        rule.status = "DELETED"
        return {"rule": rule.to_json()}


@handles("ListOrchestrationRules")
def list_rules(call: Call) -> Body:
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
