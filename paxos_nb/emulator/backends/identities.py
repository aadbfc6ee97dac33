"""Identities (persons and institutions), their sub-statuses and institution members: state.

An identity's ``summary_status`` follows from its sub-statuses and disable flags
(:func:`summary_of`, docs.paxos.com Identity > Statuses; the order of the rules is the
emulator's). It is re-derived at every change (sandbox-status, update, the onboarding
decision) and each transition is announced as ``identity.<new status>`` with the status it
left: ``identity.approved``, ``.denied`` and ``.disabled`` are Paxos event types, and the
record answers :meth:`Identity.event_object` for them. A new identity is PENDING; the
sandbox's onboarding decision (``identity_onboarding`` delay, 0 s: by the next read) screens a
passthrough person (sanctions and additional screening APPROVED, so a passthrough APPROVED
person becomes APPROVED and a DENIED one DENIED) and asks an institution for documents
(``identity.documents_required``); anything else waits for ``PUT .../sandbox-status``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..fmt import fmt_ts
from ..problems import bad_request, not_found
from .core import Core, Family
from .identity_records import (
    ROLES_BY_TYPE,
    SUB_STATUSES,
    Identity,
    InstitutionMember,
    check_passthrough,
    cip_of,
    duplicate,
    summary_of,
    tax_details_for,
)

__all__ = ["Identities"]

# The documents an institution is asked for, by institution_type [unverified].
REQUIRED_DOCUMENTS = {
    "TRUST": ("TRUST_DOCUMENTS",),
    "LLC": ("ORGANIZATIONAL_DOCUMENTS", "OPERATING_AGREEMENT"),
}
DEFAULT_DOCUMENTS = ("ORGANIZATIONAL_DOCUMENTS",)
KYC_REFRESH_EVERY = timedelta(days=365)  # docs: every 1-3 years; the emulator takes 1


class Identities(Family[Identity]):
    """Every identity of the customer, with their institution members."""

    def __init__(self, core: Core) -> None:
        super().__init__("identity")
        self.core = core
        self.cips: dict[tuple[str, str, str], Identity] = {}
        self.members: dict[str, InstitutionMember] = {}

    def reset(self) -> None:
        self.clear()
        self.cips.clear()
        self.members.clear()

    def find(self, ident: str, detail: str | None = None) -> Identity:
        """The identity ``ident``; 404 (``detail``, or ``identity not found: <id>``)."""
        found = self.get(ident)
        if found is None:
            raise not_found(detail or f"identity not found: {ident}")
        return found

    # -- create ---------------------------------------------------------------------------
    def create(
        self,
        kind: str,
        details: dict[str, Any],
        at: datetime,
        members: Iterable[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> Identity:
        """A new PENDING identity; 409 on a duplicate ref_id or (cip_id, type, country).

        ``members`` (institutions): ``{identity_id, roles, ownership, position, name}``.
        ``fields``: ref_id, metadata, tax_details, tax_details_not_required,
        customer_due_diligence, is_merchant.
        """
        ref_id = fields.get("ref_id")
        if ref_id and ref_id in self.refs:
            raise duplicate("duplicate ref_id provided", self.refs[ref_id])
        fields["tax_details"] = tax_details_for(
            details, fields.get("tax_details"), fields.get("tax_details_not_required", False)
        )
        statuses = dict.fromkeys(SUB_STATUSES[kind], "PENDING")
        if kind == "PERSON" and details.get("verifier_type") == "PASSTHROUGH":
            # id_verification_status mirrors the passthrough result (docs: Statuses).
            statuses["id_verification_status"] = details["passthrough_verification_status"]
        identity = Identity(self.core.new_id(), kind, at, details, statuses, at, **fields)
        cip = identity.cip()
        if cip and cip in self.cips:
            raise duplicate(
                "duplicate (cip_id, cip_id_type, cip_id_country) provided", self.cips[cip]
            )
        specs = list(members)
        if kind == "INSTITUTION" and not specs:
            raise bad_request(
                "institution_members: an institution needs at least one member "
                "(an identity created before it, with its roles)"
            )
        resolved = self._resolve_members(identity, specs, "institution_members")
        self.add(identity)
        if cip:
            self.cips[cip] = identity
        self.core.changed("identity.created", identity, at)
        for spec, member in resolved:
            self._add_member(identity, member, spec, at)
        self.core.after("identity_onboarding", at, lambda due: self._onboard(identity, due))
        return identity

    def _onboard(self, identity: Identity, at: datetime) -> None:
        """The sandbox's onboarding decision (see the module doc)."""
        if identity.type == "PERSON":
            if identity.details.get("verifier_type") != "PASSTHROUGH":
                return  # Paxos-run IDV: waits for sandbox-status
            screened = {
                k: "APPROVED" if v == "PENDING" and k != "id_verification_status" else v
                for k, v in identity.statuses.items()
            }
            if screened != identity.statuses:
                identity.statuses = screened
                identity.updated_at = at
            self.decide(identity, at)
            return
        if identity.statuses["document_verification_status"] == "PENDING":
            kind = identity.details.get("institution_type", "")
            identity.required_documents = REQUIRED_DOCUMENTS.get(kind, DEFAULT_DOCUMENTS)
            identity.documents_change = {
                "id": self.core.new_id(),
                "required_documents": identity.required_documents,
            }
            self.core.changed("identity.documents_required", identity, at)

    # -- status ---------------------------------------------------------------------------
    def decide(self, identity: Identity, at: datetime) -> bool:
        """Re-derive the summary status; announce a transition (True) if it changed."""
        new = summary_of(
            identity.type,
            identity.statuses,
            identity.user_disabled or identity.controlled,
            identity.admin_disabled,
        )
        old = identity.summary_status
        if new == old:
            return False
        identity.status_change = {"id": self.core.new_id(), "old": old, "new": new}
        identity.summary_status = new
        identity.updated_at = at
        self.core.changed(f"identity.{new.lower()}", identity, at, previous=old)
        return True

    def set_sandbox_status(
        self,
        identity: Identity,
        statuses: Mapping[str, str],
        at: datetime,
        user_disabled: bool | None = None,
        admin_disabled: bool | None = None,
    ) -> None:
        """SandboxSetIdentityStatus: set sub-statuses and flags, then re-derive the summary."""
        allowed = SUB_STATUSES[identity.type]
        for name in statuses:
            if name not in allowed:
                raise bad_request(
                    f"{name} does not apply to a {identity.type} identity; "
                    f"its sub-statuses are {', '.join(allowed)}"
                )
        new = {**identity.statuses, **statuses}
        flags = (
            identity.user_disabled if user_disabled is None else user_disabled,
            identity.admin_disabled if admin_disabled is None else admin_disabled,
        )
        if new == identity.statuses and flags == (identity.user_disabled, identity.admin_disabled):
            return
        identity.statuses = new
        identity.user_disabled, identity.admin_disabled = flags
        identity.updated_at = at
        if not self.decide(identity, at):
            self.core.changed("identity.updated", identity, at)

    # -- update ---------------------------------------------------------------------------
    def update(self, identity: Identity, at: datetime, **changes: Any) -> Identity:
        """UpdateIdentity, a delta merge. ``changes``: ``details`` (a partial person_details or
        institution_details), ref_id, metadata, tax_details, tax_details_not_required,
        customer_due_diligence, is_merchant, user_disabled, last_kyc_refresh_date."""
        patch = changes.pop("details", None) or {}
        for name in SUB_STATUSES[identity.type]:
            if name in patch and patch.pop(name) != identity.statuses[name]:
                raise bad_request(
                    f"{identity.details_key}.{name} is set by Paxos; in the sandbox set it "
                    f"with PUT /identity/identities/{identity.id}/sandbox-status"
                )
        details = {**identity.details, **patch}
        if identity.type == "PERSON":
            check_passthrough(details, identity.details_key)
        ref_id = changes.get("ref_id")
        if ref_id and ref_id != identity.ref_id and ref_id in self.refs:
            raise duplicate("duplicate ref_id provided", self.refs[ref_id])
        old_cip, cip = identity.cip(), cip_of(details)
        if cip and cip != old_cip and cip in self.cips:
            raise duplicate(
                "duplicate (cip_id, cip_id_type, cip_id_country) provided", self.cips[cip]
            )
        cdd = changes.pop("customer_due_diligence", None)
        if cdd:
            changes["customer_due_diligence"] = {**(identity.customer_due_diligence or {}), **cdd}
        refreshed = changes.get("last_kyc_refresh_date")
        if refreshed is not None and refreshed > at:
            raise bad_request("last_kyc_refresh_date must not be in the future")
        current = {k: getattr(identity, k) for k in changes}
        if details == identity.details and current == changes:
            return identity  # nothing to merge
        if ref_id and identity.ref_id != ref_id:
            self.refs.pop(identity.ref_id or "", None)
            self.refs[ref_id] = identity
        if cip != old_cip:
            if old_cip:
                del self.cips[old_cip]
            if cip:
                self.cips[cip] = identity
        if details != identity.details:
            identity.details = details
            if details.get("verifier_type") == "PASSTHROUGH" and identity.type == "PERSON":
                identity.statuses = {
                    **identity.statuses,
                    "id_verification_status": details["passthrough_verification_status"],
                }
        for name, value in changes.items():
            setattr(identity, name, value)
        identity.updated_at = at
        if refreshed is not None:
            identity.kyc_change = {
                "id": self.core.new_id(),
                "last_kyc_refresh_date": fmt_ts(refreshed),
                "next_kyc_refresh_date": fmt_ts(refreshed + KYC_REFRESH_EVERY),
            }
            self.core.changed("identity.kyc_refresh.completed", identity, at)
        else:
            self.core.changed("identity.updated", identity, at)
        self.decide(identity, at)
        return identity

    # -- institution members --------------------------------------------------------------
    def add_members(
        self, institution: Identity, specs: Iterable[Mapping[str, Any]], at: datetime
    ) -> list[InstitutionMember]:
        """AddInstitutionMembers: append members (existing identities) to an institution."""
        if institution.type != "INSTITUTION":
            raise bad_request(
                f"institution_id: identity {institution.id} is a PERSON, not an institution"
            )
        specs = list(specs)
        if not specs:
            raise bad_request("members: give at least one member")
        resolved = self._resolve_members(institution, specs, "members")
        added = [self._add_member(institution, member, spec, at) for spec, member in resolved]
        institution.updated_at = at
        return added

    def delete_member(self, member_id: str, at: datetime) -> None:
        """DeleteInstitutionMember; an institution keeps at least one member."""
        member = self.members.get(member_id)
        if member is None:
            raise not_found(f"institution member not found: {member_id}")
        institution = self.find(member.institution_id)
        if len(institution.members) == 1:
            raise bad_request(
                f"member {member_id} is the last member of institution {institution.id}; "
                "an institution needs at least one member: add another first"
            )
        del self.members[member_id]
        institution.members = [m for m in institution.members if m.id != member_id]
        institution.updated_at = at
        self.core.changed("institution_member.deleted", member, at)

    def _resolve_members(
        self, institution: Identity, specs: list[Mapping[str, Any]], where: str
    ) -> list[tuple[Mapping[str, Any], Identity]]:
        """Each spec with its member identity, every rule checked before any change."""
        kind = institution.details.get("institution_type")
        allowed = ROLES_BY_TYPE["TRUST" if kind == "TRUST" else "COMPANY"] if kind else None
        seen = {m.identity.id for m in institution.members}
        out = []
        for n, spec in enumerate(specs):
            at = f"{where}[{n}]"
            ident = spec["identity_id"]
            member = self.find(ident, f"{at}.identity_id: identity not found: {ident}")
            if member is institution or ident == institution.id:
                raise bad_request(f"{at}.identity_id: an institution cannot be its own member")
            if ident in seen:
                raise bad_request(
                    f"{at}.identity_id: identity {ident} is already a member of this "
                    "institution (members are immutable: delete it and add it again)"
                )
            roles = set(spec["roles"])
            if allowed is not None and roles - allowed:
                wrong = ", ".join(sorted(roles - allowed))
                raise bad_request(f"{at}.roles: {wrong} does not apply to a {kind} institution")
            if {"BENEFICIAL_OWNER", "BENEFICIARY"} <= roles:
                raise bad_request(
                    f"{at}.roles: a member cannot be both BENEFICIAL_OWNER and BENEFICIARY"
                )
            seen.add(ident)
            out.append((spec, member))
        return out

    def _add_member(
        self, institution: Identity, member: Identity, spec: Mapping[str, Any], at: datetime
    ) -> InstitutionMember:
        record = InstitutionMember(
            self.core.new_id(),
            institution.id,
            member,
            tuple(dict.fromkeys(spec["roles"])),
            spec.get("ownership"),
            spec.get("position"),
            spec.get("name"),
        )
        self.members[record.id] = record
        institution.members = [*institution.members, record]
        self.core.changed("institution_member.created", record, at)
        return record
