"""Fiat accounts: create, list, get, update, delete (docs.paxos.com, Fiat Transfers)."""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.fiat_accounts import (
    FiatAccount,
    check_id,
    mailing_address,
    network_instructions,
    owner_of,
)
from ..fmt import (
    body_of,
    compare_filters,
    metadata_of,
    opt_str,
    query_bool,
    query_choice,
    query_list,
    time_ok,
)
from ..problems import bad_request, not_found
from . import Body, Call, handles
from ._shared import ledger_of, listing


@handles("CreateFiatAccount")
def create_fiat_account(call: Call) -> Body:
    body = body_of(call)
    if body.get("fiat_network_instructions") in (None, {}):
        raise bad_request("fiat_network_instructions is required")
    if body.get("fiat_account_owner") in (None, {}):
        raise bad_request("fiat_account_owner is required")
    instructions = network_instructions(body["fiat_network_instructions"])
    owner = owner_of(body["fiat_account_owner"])
    fields: dict[str, Any] = {
        "ref_id": opt_str(body, "ref_id"),
        "identity_id": opt_str(body, "identity_id"),
        "account_id": opt_str(body, "account_id"),
        "metadata": metadata_of(body),
    }
    with ledger_of(call).at(call.now) as led:
        return led.fiat_accounts.create(owner, instructions, **fields).to_json()


@handles("ListFiatAccounts")
def list_fiat_accounts(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    created = compare_filters(q, "created_at")
    ids, refs = set(query_list(q, "ids")), set(query_list(q, "ref_ids"))
    deleted = query_bool(q, "include_deleted")

    def keep(account: FiatAccount) -> bool:
        return (
            (deleted or not account.deleted)
            and (not ids or account.id in ids)
            and (not refs or account.ref_id in refs)
            and time_ok(account.created_at, created)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.fiat_accounts.created, kind="fiat_accounts", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing([account.row() for account in found], cursor)


@handles("GetFiatAccount")
def get_fiat_account(call: Call) -> Body:
    deleted = query_bool(call.query, "include_deleted")
    with ledger_of(call).at(call.now) as led:
        return led.fiat_accounts.find(call.path_params["id"], include_deleted=deleted).to_json()


def _wire_changes(value: Any) -> dict[str, Any] | None:
    """The wire fields an update may change: the owner's address, the banks' name/address."""
    if value in (None, {}):
        return None
    if not isinstance(value, dict) or set(value) - {"wire"}:
        raise bad_request("fiat_network_instructions may only update wire details")
    wire = value.get("wire") or {}
    if not isinstance(wire, dict):
        raise bad_request("fiat_network_instructions.wire must be an object")
    where = "fiat_network_instructions.wire"
    out: dict[str, Any] = {}
    if wire.get("fiat_account_owner_address") not in (None, {}):
        out["fiat_account_owner_address"] = mailing_address(
            wire["fiat_account_owner_address"], f"{where}.fiat_account_owner_address", partial=True
        )
    for name in ("routing_details", "intermediary_routing_details"):
        part = wire.get(name)
        if part in (None, {}):
            continue
        if not isinstance(part, dict):
            raise bad_request(f"{where}.{name} must be an object")
        change: dict[str, Any] = {}
        if part.get("bank_name") not in (None, ""):
            change["bank_name"] = opt_str(part, "bank_name")
        if part.get("bank_address") not in (None, {}):
            change["bank_address"] = mailing_address(
                part["bank_address"], f"{where}.{name}.bank_address", partial=True
            )
        out[name] = change
    return out


@handles("UpdateFiatAccount")
def update_fiat_account(call: Call) -> Body:
    body = body_of(call)
    ident = call.path_params["id"]
    check_id(ident, "id must be uuid, given '{id}'")
    owner = None
    if body.get("fiat_account_owner") not in (None, {}):
        owner = owner_of(body["fiat_account_owner"], partial=True)
    wire = _wire_changes(body.get("fiat_network_instructions"))
    metadata = metadata_of(body) if "metadata" in body else None
    with ledger_of(call).at(call.now) as led:
        account = led.fiat_accounts.get(ident)
        if account is None or account.deleted:
            raise not_found(f"fiat_account with id {ident} not found")
        return led.fiat_accounts.update(account, owner, wire, metadata).to_json()


@handles("DeleteFiatAccount")
def delete_fiat_account(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.fiat_accounts.delete(led.fiat_accounts.find(call.path_params["id"]))
        return {}
