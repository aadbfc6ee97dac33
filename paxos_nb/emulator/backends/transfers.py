"""Transfers: every Transfer record, its status changes, and the two-legged transfers.

The family is indexed twice, by ``created_at`` (``created``) and by ``updated_at``
(``updated``), for the two orders of ``ListTransfers``. A transfer is created once
(``transfer.created``, in whatever status it starts) and changes status only through
:meth:`Transfers.set_status` (``transfer.completed`` / ``transfer.failed``).
:meth:`Transfers.open_pair` is the debit-now, credit-at-settlement pair that internal
transfers and orchestrations share.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..cursors import SortedIndex, key_of
from ..problems import bad_request, not_found
from ..records import Transfer
from .core import Core, Family
from .profiles import Balances, Profile

__all__ = ["Transfers"]

ZERO = Decimal(0)
INTERNAL_TYPES = ("INTERNAL_TRANSFER_DEBIT", "INTERNAL_TRANSFER_CREDIT")


class Transfers(Family[Transfer]):
    """Every transfer of the customer (both legs of internal transfers and orchestrations)."""

    def __init__(self, core: Core, balances: Balances) -> None:
        super().__init__("transfer")
        self.core, self.balances = core, balances
        self.updated = SortedIndex()  # by (updated_at, id), kept in step with status changes

    def reset(self) -> None:
        self.clear()
        self.updated = SortedIndex()

    def add(self, record: Transfer, moment: datetime | None = None) -> Transfer:
        super().add(record, moment)
        self.updated.add(key_of(record.updated_at, record.id), record)
        return record

    # -- reads --------------------------------------------------------------------------------
    def find(self, ident: str) -> Transfer:
        """The transfer ``ident``; 404 ``transfer not found: <id>`` otherwise."""
        found = self.get(ident)
        if found is None:
            raise not_found(f"transfer not found: {ident}")
        return found

    # -- changes ------------------------------------------------------------------------------
    def create(self, transfer: Transfer) -> Transfer:
        """Record a new transfer (any status) and announce it."""
        self.add(transfer)
        self.core.changed("transfer.created", transfer, transfer.created_at)
        return transfer

    def new(self, profile_id: str, amount: Decimal, asset: str, **fields: Any) -> Transfer:
        """A new transfer of the customer, created now (``fields``: the other attributes)."""
        now = self.core.now
        fields.setdefault("created_at", now)
        fields.setdefault("updated_at", now)
        fields.setdefault("fee", ZERO)
        return self.create(
            Transfer(
                id=self.core.new_id(),
                customer_id=self.core.customer_id,
                profile_id=profile_id,
                amount=amount,
                asset=asset,
                **fields,
            )
        )

    def set_status(
        self,
        transfer: Transfer,
        status: str,
        when: datetime,
        details: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """Move a transfer to ``status`` at ``when``, keeping the updated_at index in order;
        ``details``: its ``status_details`` from then on (why it failed), announced with it."""
        previous = transfer.status
        self.updated.remove(key_of(transfer.updated_at, transfer.id))
        transfer.status, transfer.updated_at = status, when
        if details is not None:
            transfer.status_details = details
        self.updated.add(key_of(when, transfer.id), transfer)
        self.core.changed(f"transfer.{status.lower()}", transfer, when, previous)

    def set_secondary(self, transfer: Transfer, name: str | None, detail: str = "") -> None:
        """Set (or clear, with ``name=None``) a transfer's secondary status, now."""
        now = self.core.now
        self.updated.remove(key_of(transfer.updated_at, transfer.id))
        transfer.secondary_status = {"name": name, "detail": detail} if name else None
        if not detail and transfer.secondary_status:
            del transfer.secondary_status["detail"]
        transfer.updated_at = now
        self.updated.add(key_of(now, transfer.id), transfer)
        self.core.changed("transfer.updated", transfer, now)

    def link_conversion(self, deposit: Transfer, withdrawal: Transfer, when: datetime) -> None:
        """``deposit`` set off ``withdrawal`` (through an orchestration rule): the deposit's
        ``auto_conversion.to_transfer_id`` names it from ``when`` on (the withdrawal carries
        ``from_transfer_id`` from its creation)."""
        self.updated.remove(key_of(deposit.updated_at, deposit.id))
        deposit.auto_conversion = {"to_transfer_id": withdrawal.id}
        deposit.updated_at = max(when, deposit.updated_at)
        self.updated.add(key_of(deposit.updated_at, deposit.id), deposit)
        self.core.changed("transfer.updated", deposit, deposit.updated_at)

    def internal(
        self,
        source: Profile,
        target: Profile,
        asset: str,
        amount: Decimal,
        *,
        ref_id: str | None,
        debit_fields: dict[str, Any],
        credit_fields: dict[str, Any],
    ) -> Transfer:
        """An internal transfer: the debit leg (PENDING; both legs complete together, or
        both fail and the source is refunded when the outcome was forced to FAILED)."""
        if source.id == target.id:
            raise bad_request("from_profile_id and to_profile_id must be different profiles")
        self.check_ref(ref_id, "transfer")
        self.balances.check(source.id, asset, amount)
        debit, _ = self.open_pair(
            "internal_transfer",
            source=source.id,
            target=target.id,
            amount=amount,
            assets=(asset, asset),
            kind="internal",
            debit_fields={"ref_id": ref_id, **debit_fields},
            credit_fields=credit_fields,
            outcome=self.core.outcomes.take("CreateInternalTransfer"),
        )
        return debit

    def open_pair(
        self,
        family: str,
        *,
        source: str,
        target: str,
        amount: Decimal,
        assets: tuple[str, str],
        kind: str,
        types: tuple[str, str] = INTERNAL_TYPES,
        group_id: str | None = None,
        debit_fields: dict[str, Any] | None = None,
        credit_fields: dict[str, Any] | None = None,
        on_complete: Callable[[datetime], None] | None = None,
        outcome: str = "COMPLETED",
    ) -> tuple[Transfer, Transfer]:
        """Debit ``source`` now and credit ``target`` at settlement: two PENDING legs.

        The legs share ``group_id`` and complete together, ``family``'s delay from now
        (``outcome`` FAILED: both fail then, and the source gets its money back).
        ``assets`` is (debited asset, credited asset): equal for an internal transfer,
        USD and a stablecoin for an orchestration. 403 insufficient-funds leaves no trace.
        """
        now = self.core.now
        self.balances.debit(source, assets[0], amount)
        group_id = group_id or self.core.new_id()
        debit, credit = (
            self.new(pid, amount, asset, direction=direction, type=kind_type,
                     status="PENDING", kind=kind, group_id=group_id, **(extra or {}))
            for pid, asset, direction, kind_type, extra in (
                (source, assets[0], "DEBIT", types[0], debit_fields),
                (target, assets[1], "CREDIT", types[1], credit_fields),
            )
        )  # fmt: skip

        def complete(when: datetime) -> None:
            if outcome == "FAILED":
                self.set_status(debit, "FAILED", when)
                self.set_status(credit, "FAILED", when)
                self.balances.credit(source, assets[0], amount)  # the refund
            else:
                self.set_status(debit, "COMPLETED", when)
                self.set_status(credit, "COMPLETED", when)
                self.balances.credit(target, assets[1], amount)
            if on_complete is not None:
                on_complete(when)

        self.core.after(family, now, complete)
        return debit, credit
