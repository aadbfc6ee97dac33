"""Orchestrations (USD <-> stablecoin, to a profile, crypto address or fiat account) and rules.

Parsing and answers only; what an orchestration does is in ``backends/orchestrations.py``.
"""

from __future__ import annotations

from .. import cursors
from ..backends.orchestrations import RULE_ASSETS, RULE_STATUSES, Orchestration, Rule
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
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party


@handles("CreateOrchestration")
def create_orchestration(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "ref_id", "source_asset", "destination_asset", "source_amount")
    source_asset, destination_asset = body["source_asset"], body["destination_asset"]
    amount = parse_amount(body["source_amount"], "source_amount")
    check_precision(amount, "USD", 2)
    fields = {
        "metadata": metadata_of(body),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        record = led.orchestrations.create(
            body["ref_id"], body.get("source"), body.get("destination"),
            (source_asset, destination_asset), amount, **fields,
        )  # fmt: skip
        return record.to_json()


@handles("GetOrchestration")
def get_orchestration(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.orchestrations.find(call.path_params["id"]).to_json()


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
            # "filter by the target profiles": the orchestration's own profile_id, not
            # whichever profile it pays into (spec, ListOrchestrations).
            ("profile_id", {r.source_profile_id}),
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


@handles("CreateOrchestrationRule")
def create_rule(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "ref_id", "profile_id", "source_asset", "destination_asset", "source")
    for name in ("source_asset", "destination_asset"):
        if body[name] not in RULE_ASSETS:
            raise bad_request(
                f"{name} invalid: '{body[name]}' is not one of {', '.join(RULE_ASSETS)}"
            )
    if body["source_asset"] == body["destination_asset"]:
        raise bad_request("source_asset and destination_asset must differ")
    fields = {
        "nickname": opt_str(body, "nickname"),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
    }
    with ledger_of(call).at(call.now) as led:
        rule = led.orchestrations.create_rule(
            body["ref_id"], body["profile_id"], (body["source_asset"], body["destination_asset"]),
            body["source"], body.get("destination"), **fields,
        )  # fmt: skip
        return {"rule": rule.to_json()}


@handles("DeleteOrchestrationRule")
def delete_rule(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        orchestrations = led.orchestrations
        rule = orchestrations.delete_rule(orchestrations.find_rule(call.path_params["id"]))
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
            led.orchestrations.rules.created, kind="rules", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "items", "rules")
