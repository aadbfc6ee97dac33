"""Identity controls (preview): state, and the guard orders and withdrawals call.

A control (docs.paxos.com, Identity Controls; preview spec ``ListIdentityControls``,
``CreateIdentityControl``, ``DeleteIdentityControl``) constrains one identity until it is
deleted: while any is active the identity's summary status is DISABLED (the identity backend
re-derives it, so ``identity.disabled`` is announced on entering it and the status the sandbox
sub-statuses give comes back when the last control goes). :meth:`IdentityControls.guard` is
what a new order or withdrawal carrying that ``identity_id`` must pass (the emulator's reading
of the type descriptions, see docs/emulator.md): ``SELL_ONLY`` allows SELL orders only,
``CLOSED``, ``FROZEN`` and ``DORMANT`` allow no new order or withdrawal. The legacy disable
flags count as ``SELL_ONLY`` (the docs map them to SELL_ONLY controls). Open orders keep
running; cancelling is always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..fmt import Wired, fmt_ts
from ..problems import forbidden, not_found
from .core import Core, Family
from .identities import Identities

__all__ = ["CLIENT_TYPES", "TYPES", "IdentityControl", "IdentityControls"]

TYPES = ("SELL_ONLY", "CLOSED", "FROZEN", "DORMANT")
CLIENT_TYPES = ("SELL_ONLY", "CLOSED", "DORMANT")  # CreateIdentityControlRequest's enum
DISABLED = "user account is disabled"  # the preview spec's 403 example


@dataclass
class IdentityControl(Wired):
    """One control on an identity (the spec's ``IdentityControl``; no identity_id field)."""

    id: str
    identity_id: str
    type: str
    reason_code: str
    created_at: datetime
    reason: str = ""
    set_by: str = "SET_BY_CLIENT"
    is_overridable: bool = True
    deleted_at: datetime | None = None
    deleted_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "set_by": self.set_by,
            "is_overridable": self.is_overridable,
            "reason_code": self.reason_code,
        }
        if self.reason:
            out["reason"] = self.reason
        out["created_at"] = fmt_ts(self.created_at)
        if self.deleted_at is not None:
            out["deleted_at"] = fmt_ts(self.deleted_at)
        return out


class IdentityControls(Family[IdentityControl]):
    """Every identity control of the customer; the guard of orders and withdrawals."""

    def __init__(self, core: Core, identities: Identities) -> None:
        super().__init__("identity_control")
        self.core, self.identities = core, identities

    def reset(self) -> None:
        self.clear()

    def active(self, identity_id: str) -> list[IdentityControl]:
        return [
            c for c in self.by_id.values() if c.identity_id == identity_id and c.deleted_at is None
        ]

    def create(
        self,
        identity_id: str,
        type: str,
        reason_code: str,
        at: datetime,
        reason: str = "",
        *,
        set_by: str = "SET_BY_CLIENT",
        is_overridable: bool = True,
    ) -> IdentityControl:
        """A new control; 404 ``identity not found`` for an unknown identity.

        The API creates client controls (overridable, ``SET_BY_CLIENT``); a test or notebook
        plays Paxos with ``set_by="SET_BY_PAXOS", is_overridable=False`` (a FROZEN control).
        """
        identity = self.identities.find(identity_id, "identity not found")
        control = IdentityControl(
            self.core.new_id(), identity.id, type, reason_code, at, reason,
            set_by=set_by, is_overridable=is_overridable,
        )  # fmt: skip
        self.add(control)
        self.core.changed("identity_control.created", control, at)
        self._rederive(identity.id, at)
        return control

    def delete(self, control_id: str, at: datetime, reason: str = "") -> IdentityControl:
        """Delete an overridable control: 404 unknown or already deleted, 403 otherwise."""
        control = self.get(control_id)
        if control is None or control.deleted_at is not None:
            state = "already deleted" if control is not None else "not found"
            raise not_found(f"identity control {state}: {control_id}")
        if not control.is_overridable:
            raise forbidden(
                f"identity control {control_id} ({control.type}, {control.set_by}) is not "
                "overridable: only Paxos can remove it"
            )
        control.deleted_at, control.deleted_reason = at, reason
        self.core.changed("identity_control.deleted", control, at)
        self._rederive(control.identity_id, at)
        return control

    def _rederive(self, identity_id: str, at: datetime) -> None:
        identity = self.identities.find(identity_id)
        identity.controlled = bool(self.active(identity_id))
        self.identities.decide(identity, at)

    # -- the guard ------------------------------------------------------------------------
    def guard(self, identity_id: str | None, action: str) -> None:
        """403 when the controls of ``identity_id`` forbid ``action`` (``BUY``, ``SELL`` or
        ``WITHDRAWAL``); no identity_id, or one the emulator does not know, passes."""
        if not identity_id:
            return
        identity = self.identities.get(identity_id)
        if identity is None:
            return
        types = {c.type for c in self.active(identity_id)}
        if identity.user_disabled or identity.admin_disabled:
            types.add("SELL_ONLY")
        blocking = sorted(types - {"SELL_ONLY"})
        if blocking:
            raise forbidden(
                f"{DISABLED}: identity {identity_id} has an active {blocking[0]} control; "
                f"no new {'orders' if action != 'WITHDRAWAL' else 'withdrawals'} until it is "
                "deleted (DELETE /identity/controls)"
            )
        if "SELL_ONLY" in types and action != "SELL":
            what = "BUY orders" if action == "BUY" else "withdrawals"
            raise forbidden(
                f"{DISABLED}: identity {identity_id} is SELL_ONLY; {what} are refused, only "
                "SELL orders are allowed"
            )
