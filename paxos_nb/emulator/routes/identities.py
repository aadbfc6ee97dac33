"""Identities: list, create, get, update and the sandbox status (API-BRIEF-2.md section 7)."""

from __future__ import annotations

import re
from typing import Any

from .. import cursors
from ..backends.identity_records import Identity, check_passthrough
from ..fmt import body_of, compare_filters, parse_ts, query_bool, query_choice, time_ok
from ..problems import bad_request
from ..shapes import checked
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party

_PERCENT = re.compile(r"\A(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)\Z")
STATUSES = ("PENDING", "ERROR", "APPROVED", "DENIED", "DISABLED")
SANDBOX_STATUSES = (
    "id_verification_status",
    "sanctions_verification_status",
    "document_verification_status",
    "additional_screening_status",
)


@handles("ListIdentities")
def list_identities(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    status = query_choice(q, "summary_status", STATUSES)
    kind = query_choice(q, "identity_type", ("PERSON", "INSTITUTION"))
    created, updated = compare_filters(q, "created_at"), compare_filters(q, "updated_at")

    def keep(identity: Identity) -> bool:
        return (
            (status is None or identity.summary_status == status)
            and (kind is None or identity.type == kind)
            and time_ok(identity.created_at, created)
            and time_ok(identity.updated_at, updated)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.identities.created,
            kind="identities",
            order=order,
            limit=limit,
            token=q.get("page_cursor"),
            keep=keep,
        )
        return listing(found, cursor)


_MEMBERS = {"type": "array", "items": {"$ref": "#/components/InstitutionMember"}}


def _members(value: Any, where: str) -> list[dict[str, Any]]:
    """Institution members as sent: an existing identity, roles, optional ownership (%)."""
    out = []
    for n, member in enumerate(checked(value, _MEMBERS, where)):
        at = f"{where}[{n}]"
        for paxos_owned in ("id", "summary_status"):
            if paxos_owned in member:
                raise bad_request(f"{at}.{paxos_owned} is set by Paxos; leave it out")
        if not member.get("identity_id"):
            raise bad_request(f"{at}.identity_id is required (the member's identity id)")
        if not member.get("roles"):
            raise bad_request(f"{at}.roles: give at least one role")
        ownership = member.get("ownership")
        if ownership is not None and not _PERCENT.match(ownership):
            raise bad_request(f'{at}.ownership must be a percentage from 0 to 100, like "25"')
        out.append(member)
    return out


def _details(data: dict[str, Any], where: str) -> dict[str, Any]:
    details = dict(data[where])
    for name in SANDBOX_STATUSES:
        if name in details:
            raise bad_request(
                f"{where}.{name} is set by Paxos (in the sandbox: PUT "
                "/identity/identities/{id}/sandbox-status); leave it out"
            )
    if where == "person_details":
        check_passthrough(details, where)
    return details


@handles("CreateIdentity")
def create_identity(call: Call) -> Body:
    data = checked(body_of(call), "CreateIdentityRequest", "")
    given = [k for k in ("person_details", "institution_details") if k in data]
    if len(given) != 1:
        raise bad_request(
            "send exactly one of person_details (a PERSON) or institution_details "
            f"(an INSTITUTION), got {' and '.join(given) or 'neither'}"
        )
    kind = "PERSON" if given[0] == "person_details" else "INSTITUTION"
    details = _details(data, given[0])
    members = _members(data.get("institution_members", []), "institution_members")
    if members and kind == "PERSON":
        raise bad_request("institution_members: only an institution has members")
    refuse_first_party(call, *(m["identity_id"] for m in members))
    fields = {
        k: data[k]
        for k in (
            "ref_id",
            "metadata",
            "tax_details",
            "tax_details_not_required",
            "customer_due_diligence",
            "is_merchant",
        )
        if k in data
    }
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.create(kind, details, led.now, members, **fields)
        return identity.full_json(details=True, members=True)


@handles("GetIdentity")
def get_identity(call: Call) -> Body:
    details = query_bool(call.query, "include_details")
    members = query_bool(call.query, "include_institution_members")
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.find(call.path_params["id"])
        return identity.full_json(details=details, members=members)


_UPDATE_FIELDS = {
    "ref_id": "ref_id",
    "metadata": "metadata",
    "tax_details": "tax_details",
    "set_tax_details_not_required": "tax_details_not_required",
    "customer_due_diligence": "customer_due_diligence",
    "is_merchant": "is_merchant",
    "set_user_disabled": "user_disabled",
}


@handles("UpdateIdentity")
def update_identity(call: Call) -> Body:
    data = checked(body_of(call), "IdentityPublicUpdateIdentityBody", "")
    changes: dict[str, Any] = {attr: data[k] for k, attr in _UPDATE_FIELDS.items() if k in data}
    if "last_kyc_refresh_date" in data:
        changes["last_kyc_refresh_date"] = parse_ts(
            data["last_kyc_refresh_date"], "last_kyc_refresh_date"
        )
    given = [k for k in ("person_details", "institution_details") if k in data]
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.find(call.path_params["id"])
        for key in given:
            if key != identity.details_key:
                raise bad_request(
                    f"{key}: identity {identity.id} is a {identity.type}; its type cannot change "
                    f"(send {identity.details_key})"
                )
            changes["details"] = dict(data[key])
        led.identities.update(identity, led.now, **changes)
        return identity.full_json(details=True, members=True)


@handles("SandboxSetIdentityStatus")
def sandbox_set_identity_status(call: Call) -> Body:
    data = checked(body_of(call), "IdentitySandboxSandboxSetIdentityStatusBody", "")
    statuses = {k: data[k] for k in SANDBOX_STATUSES if k in data}
    flags = {
        f"{name}_disabled": data[f"{name}_disabled"].get("disabled", False)
        for name in ("user", "admin")
        if f"{name}_disabled" in data
    }
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.find(call.path_params["id"])
        led.identities.set_sandbox_status(identity, statuses, led.now, **flags)
        return {}


@handles("AddInstitutionMembers")
def add_institution_members(call: Call) -> Body:
    data = checked(body_of(call), "AddInstitutionMembersRequest", "")
    members = _members(data.get("members", []), "members")
    refuse_first_party(call, *(m["identity_id"] for m in members))
    with ledger_of(call).at(call.now) as led:
        institution = led.identities.find(
            data["institution_id"], f"institution_id: identity not found: {data['institution_id']}"
        )
        added = led.identities.add_members(institution, members, led.now)
        return {"institution_id": institution.id, "members": [m.to_json() for m in added]}


@handles("DeleteInstitutionMember")
def delete_institution_member(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.identities.delete_member(call.path_params["id"], led.now)
        return {}
