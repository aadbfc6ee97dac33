"""Identity models: persons and institutions, institution members, the summary-status rule.

An identity's ``summary_status`` follows from its sub-statuses and disable flags
(:func:`summary_of`; docs.paxos.com, Identity > Statuses, with the order of the rules the
emulator's). :meth:`Identity.event_object` gives the object of the Paxos event of an
identity change (``identity_summary_status_change`` and the like).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..fmt import Wired, fmt_ts
from ..problems import Problem, bad_request

__all__ = [
    "PASSTHROUGH_FIELDS",
    "REQUIRED",
    "SUB_STATUSES",
    "Identity",
    "InstitutionMember",
    "check_passthrough",
    "cip_of",
    "duplicate",
    "summary_of",
    "tax_details_for",
]

SUB_STATUSES = {
    "PERSON": (
        "id_verification_status",
        "sanctions_verification_status",
        "additional_screening_status",
    ),
    "INSTITUTION": (
        "sanctions_verification_status",
        "document_verification_status",
        "additional_screening_status",
    ),
}
# What must be APPROVED (SandboxSetIdentityStatus: "to enable the Person Identity to transact,
# set both id_verification_status and sanctions_verification_status"; institutions: sanctions).
REQUIRED = {
    "PERSON": ("id_verification_status", "sanctions_verification_status"),
    "INSTITUTION": ("sanctions_verification_status",),
}
# Institution member roles per institution_type (docs.paxos.com, Institution Types and Members);
# ACCOUNT_OPENER is not in that grid and is allowed everywhere (emulator choice).
ROLES_BY_TYPE = {
    "TRUST": {"BENEFICIAL_OWNER", "TRUSTEE", "GRANTOR", "BENEFICIARY", "ACCOUNT_OPENER"},
    "COMPANY": {
        "BENEFICIAL_OWNER",
        "AUTHORIZED_USER",
        "MANAGEMENT_CONTROL_PERSON",
        "ACCOUNT_OPENER",
    },
}


def summary_of(
    kind: str, statuses: Mapping[str, str], user_disabled: bool, admin_disabled: bool
) -> str:
    """The summary status, by the first rule that applies: a disable flag (or a DISABLED
    sub-status) -> DISABLED; any DENIED -> DENIED; any ERROR -> ERROR; every required
    sub-status APPROVED -> APPROVED; otherwise PENDING."""
    values = set(statuses.values())
    if user_disabled or admin_disabled or "DISABLED" in values:
        return "DISABLED"
    for status in ("DENIED", "ERROR"):
        if status in values:
            return status
    if all(statuses.get(name) == "APPROVED" for name in REQUIRED[kind]):
        return "APPROVED"
    return "PENDING"


def cip_of(details: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The (cip_id, cip_id_type, cip_id_country) that must be unique, if a cip_id is set."""
    if not details.get("cip_id"):
        return None
    return (details["cip_id"], details.get("cip_id_type", ""), details.get("cip_id_country", ""))


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", {}, [], ()):
        out[key] = value


@dataclass
class InstitutionMember:
    """One member of an institution; its ``summary_status`` is the member identity's."""

    id: str
    institution_id: str
    identity: Identity
    roles: tuple[str, ...]
    ownership: str | None = None
    position: str | None = None
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "identity_id": self.identity.id}
        out["roles"] = list(self.roles)
        _put(out, "ownership", self.ownership)
        _put(out, "position", self.position)
        _put(out, "name", self.name)
        out["summary_status"] = self.identity.summary_status
        return out


@dataclass
class Identity(Wired):
    """A person or an institution. ``details`` is what the client sent (person_details or
    institution_details) without the sub-statuses, which Paxos owns (``statuses``)."""

    id: str
    type: str  # PERSON | INSTITUTION
    created_at: datetime
    details: dict[str, Any]
    statuses: dict[str, str]
    updated_at: datetime
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    tax_details: list[dict[str, Any]] = field(default_factory=list)
    tax_details_not_required: bool = False
    customer_due_diligence: dict[str, Any] | None = None
    is_merchant: bool = False
    user_disabled: bool = False
    admin_disabled: bool = False
    controlled: bool = False  # an active identity control (controls.py): DISABLED
    last_kyc_refresh_date: datetime | None = None
    summary_status: str = "PENDING"
    members: list[InstitutionMember] = field(default_factory=list)
    required_documents: tuple[str, ...] = ()
    # What the latest announced change of each kind was (read by event_object).
    status_change: dict[str, str] | None = None
    documents_change: dict[str, Any] | None = None
    kyc_change: dict[str, Any] | None = None

    @property
    def details_key(self) -> str:
        return "person_details" if self.type == "PERSON" else "institution_details"

    def cip(self) -> tuple[str, str, str] | None:
        return cip_of(self.details)

    def to_json(self) -> dict[str, Any]:
        """The identity without details or members (a list item; Get's default)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "summary_status": self.summary_status,
        }
        _put(out, "ref_id", self.ref_id)
        _put(out, "metadata", dict(self.metadata))
        out["user_disabled"] = self.user_disabled
        out["admin_disabled"] = self.admin_disabled
        _put(out, "tax_details", [dict(t) for t in self.tax_details])
        if self.tax_details_not_required:
            out["tax_details_not_required"] = True
        _put(out, "customer_due_diligence", dict(self.customer_due_diligence or {}))
        out["is_merchant"] = self.is_merchant
        if self.last_kyc_refresh_date is not None:
            out["last_kyc_refresh_date"] = fmt_ts(self.last_kyc_refresh_date)
        out["created_at"] = fmt_ts(self.created_at)
        out["updated_at"] = fmt_ts(self.updated_at)
        return out

    def full_json(self, *, details: bool = True, members: bool = False) -> dict[str, Any]:
        """With ``person_details``/``institution_details`` (sub-statuses included) and, for an
        institution, ``institution_members``."""
        out = self.to_json()
        if details:
            out[self.details_key] = {**self.details, **self.statuses}
        if members and self.type == "INSTITUTION":
            out["institution_members"] = [m.to_json() for m in self.members]
        return out

    def event_object(self, kind: str) -> tuple[str, dict[str, Any]]:
        """``(object_type, object)`` of the Paxos event of ``kind`` (docs.paxos.com, Events),
        describing the latest change of that kind: call it when the change is announced."""
        if kind.startswith("identity.") and kind[9:].upper() in _SUMMARY and self.status_change:
            change = self.status_change
            return "identity_summary_status_change", {
                "id": change["id"],
                "identity_id": self.id,
                "old_summary_status": change["old"],
                "new_summary_status": change["new"],
            }
        if kind == "identity.documents_required" and self.documents_change:
            return "identity_documents_required", {
                "id": self.documents_change["id"],
                "identity_id": self.id,
                "required_documents": list(self.documents_change["required_documents"]),
            }
        if kind == "identity.kyc_refresh.completed" and self.kyc_change:
            return "identity_kyc_refresh", {"identity_id": self.id, **self.kyc_change}
        raise ValueError(f"identity {self.id} has no event object for {kind!r}")


_SUMMARY = ("PENDING", "APPROVED", "DENIED", "DISABLED", "ERROR")


def duplicate(detail: str, existing: Identity) -> Problem:
    """409 already-exists with ``meta.existing`` = ``{id}`` (as CreateIdentity documents)."""
    return Problem(
        409,
        detail,
        title="Already Exists",
        slug="already-exists",
        meta={"existing": {"id": existing.id}},
    )


PASSTHROUGH_FIELDS = (
    "passthrough_verifier_type",
    "passthrough_verified_at",
    "passthrough_verification_id",
    "passthrough_verification_status",
    "passthrough_verification_fields",
)


def check_passthrough(details: Mapping[str, Any], where: str) -> None:
    """``verifier_type`` PASSTHROUGH needs all five passthrough fields, with a terminal result."""
    if details.get("verifier_type") != "PASSTHROUGH":
        return
    for name in PASSTHROUGH_FIELDS:
        if details.get(name) in (None, "", []):
            raise bad_request(f"{where}.{name} is required when verifier_type is PASSTHROUGH")
    if details["passthrough_verification_status"] not in ("APPROVED", "DENIED"):
        raise bad_request(
            f"{where}.passthrough_verification_status must be APPROVED or DENIED "
            "(the terminal result of your IDV provider)"
        )


def tax_details_for(
    details: Mapping[str, Any], given: list[dict[str, Any]] | None, not_required: bool
) -> list[dict[str, Any]]:
    """The tax details of a new identity: as given, or filled in from an SSN, ITIN or EIN
    cip_id (CreateIdentity); 400 when neither applies and they are required."""
    if given or not_required:
        return list(given or [])
    cip, kind = details.get("cip_id", ""), details.get("cip_id_type")
    if cip and kind in ("SSN", "ITIN", "EIN") and len(cip) <= 35:
        filled = {"tax_payer_id": cip}
        if details.get("cip_id_country"):
            filled["tax_payer_country"] = details["cip_id_country"]
        return [filled]
    raise bad_request(
        "tax_details is required unless tax_details_not_required is true "
        "(Paxos fills it in from an SSN, ITIN or EIN cip_id)"
    )
