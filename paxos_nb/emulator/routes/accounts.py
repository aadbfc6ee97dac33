"""Accounts and account members (API-BRIEF-2.md section 8)."""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.accounts import Account
from ..fmt import body_of, compare_filters, query_choice, time_ok
from ..problems import bad_request
from ..shapes import checked
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party

# CreateAccount: "Any fields not listed are forbidden in this request" (type: the guides send it).
CREATE_FIELDS = ("identity_id", "description", "metadata", "ref_id", "members", "type")
UPDATE_FIELDS = ("id", "description", "ref_id", "metadata", "members")
_MEMBERS = {"type": "array", "items": {"$ref": "#/components/AccountMember"}}


def _member_specs(value: Any, where: str) -> list[dict[str, Any]]:
    """Members as sent: ``identity_id`` and ``roles`` (or the single-role ``type``)."""
    out = []
    for n, member in enumerate(checked(value, _MEMBERS, where)):
        at = f"{where}[{n}]"
        if not member.get("identity_id"):
            raise bad_request(f"{at}.identity_id is required (the member's identity id)")
        roles = list(member.get("roles") or ())
        if member.get("type") and member["type"] not in roles:
            roles.append(member["type"])
        if not roles:
            raise bad_request(
                f"{at}.roles: give at least one of "
                "BENEFICIAL_OWNER, AUTHORIZED_USER, FINANCIAL_ADVISOR"
            )
        out.append({"identity_id": member["identity_id"], "roles": roles, "id": member.get("id")})
    return out


def _account(data: dict[str, Any], allowed: tuple[str, ...], operation: str) -> dict[str, Any]:
    if "account" not in data:
        raise bad_request("account is required")
    account = dict(data["account"])
    for name in account:
        if name not in allowed:
            raise bad_request(
                f"account.{name} cannot be set by {operation}; it takes {', '.join(allowed)}"
            )
    return account


@handles("ListAccounts")
def list_accounts(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    created, updated = compare_filters(q, "created_at"), compare_filters(q, "updated_at")
    owner = q.get("identity_id") or None
    refuse_first_party(call, owner)

    def keep(account: Account) -> bool:
        return (
            (owner is None or account.owner.id == owner)
            and time_ok(account.created_at, created)
            and time_ok(account.updated_at, updated)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.accounts.created,
            kind="accounts",
            order=order,
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep,
        )
        return listing(found, cursor)


@handles("CreateAccount")
def create_account(call: Call) -> Body:
    data = checked(body_of(call), "CreateAccountRequest", "")
    account = _account(data, CREATE_FIELDS, "CreateAccount")
    if not account.get("identity_id"):
        raise bad_request("account.identity_id is required (the primary owner's identity id)")
    members = _member_specs(account.pop("members", []), "account.members")
    refuse_first_party(call, account["identity_id"], *(m["identity_id"] for m in members))
    with ledger_of(call).at(call.now) as led:
        made = led.accounts.create(
            account.pop("identity_id"),
            led.now,
            members,
            create_profile=data.get("create_profile", False),
            **account,
        )
        return made.to_json()


@handles("GetAccount")
def get_account(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return led.accounts.find(call.path_params["id"]).to_json()


@handles("UpdateAccount")
def update_account(call: Call) -> Body:
    data = checked(body_of(call), "UpdateAccountRequest", "")
    if "account" not in data:
        raise bad_request("account is required")
    sent = dict(data["account"])
    if not sent.get("id"):
        raise bad_request("account.id is required (the id of the account to update)")
    members = sent.pop("members", None)
    specs = None if members is None else _member_specs(members, "account.members")
    refuse_first_party(call, *(m["identity_id"] for m in specs or ()))
    with ledger_of(call).at(call.now) as led:
        account = led.accounts.find(sent["id"])
        current = account.to_json()
        for name, value in sent.items():
            if name not in UPDATE_FIELDS and value != current.get(name):
                raise bad_request(
                    f"account.{name} cannot be changed by UpdateAccount; it changes "
                    f"{', '.join(UPDATE_FIELDS[1:])} and set_user_disabled"
                )
        fields = {k: sent[k] for k in ("description", "ref_id", "metadata") if k in sent}
        led.accounts.update(
            account, led.now, members=specs, user_disabled=data.get("set_user_disabled"), **fields
        )
        return account.to_json()


@handles("AddAccountMembers")
def add_account_members(call: Call) -> Body:
    data = checked(body_of(call), "AddAccountMembersRequest", "")
    specs = _member_specs(data.get("members", []), "members")
    if not specs:
        raise bad_request("members: give at least one member")
    refuse_first_party(call, *(m["identity_id"] for m in specs))
    with ledger_of(call).at(call.now) as led:
        account = led.accounts.find(data["account_id"])
        added = led.accounts.add_members(account, specs, led.now)
        return {"account_id": account.id, "members": [m.to_json() for m in added]}


@handles("DeleteAccountMember")
def delete_account_member(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.accounts.delete_member(call.path_params["id"], led.now)
        return {}
