"""Fiat money in and out: deposit instructions, fiat withdrawals and sandbox fiat deposits.

docs.paxos.com (Fiat Transfers, Sandbox):

- deposit instructions describe **Paxos's** bank account and a ``memo_id`` the payer quotes;
  they are immutable and stay VALID;
- a withdrawal to an APPROVED fiat account debits ``amount + fee`` at once and is PENDING
  (``WIRE_WITHDRAWAL``, ``CUBIX_WITHDRAWAL`` or ``CBIT_WITHDRAWAL`` after the account's
  network) until it completes, the ``fiat_withdrawal`` delay later (about 3 s in the sandbox),
  or fails and is refunded when forced with ``emu.outcomes``;
- ``POST /sandbox/fiat-deposits`` with a ``memo_id`` makes a ``WIRE_DEPOSIT`` (or
  ``CUBIX_DEPOSIT``) to the instructions' profile: PENDING at once, COMPLETED and credited
  the ``sandbox_fiat_deposit`` delay later ("about a minute"). A memo of an orchestration
  rule's instructions then starts that rule's conversion.

An orchestration paying out to a fiat account opens its withdrawal leg here
(:meth:`FiatTransfers.check_leg`, :meth:`FiatTransfers.open_leg`): no balance is debited, the
orchestration's source leg paid for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fmt import NIL_UUID, Wired, fmt_dec, fmt_ts
from ..problems import Problem, already_exists, bad_request, not_found
from ..records import Transfer
from .controls import IdentityControls
from .core import Core, Family
from .fiat_accounts import FiatAccount, FiatAccounts, check_id
from .limits import Limits
from .profiles import Balances, Profile, Profiles
from .transfers import Transfers

__all__ = ["FIAT_NETWORKS", "MEMO_CAPS", "DepositInstructions", "FiatTransfers", "Instructions"]

FIAT_NETWORKS = ("WIRE", "DBS_ACT", "CUBIX", "SCB")
# Paxos's own bank details, as the Fiat Transfers quickstart shows them (docs.paxos.com),
# less the "#" of "#3952", which the spec's address pattern does not allow.
_PAXOS_ADDRESS = {"country": "US", "address1": "450 Lexington Ave. 3952", "city": "New York",
                  "province": "NY", "zip_code": "10163"}  # fmt: skip
_BANK_ADDRESS = {"country": "USA", "address1": "701 Reading Avenue", "city": "West Reading",
                 "province": "PA", "zip_code": "19611"}  # fmt: skip
_PAXOS_OWNER = {"institution_details": {"name": "Paxos Trust Company, LLC"}}
MEMO_CAPS = {"wire": 100, "cubix": 40, "dbs_act": 100, "scb": 140, "cbit": 100}
_WITHDRAWAL_TYPES = {"wire": "WIRE_WITHDRAWAL", "cubix": "CUBIX_WITHDRAWAL",
                     "cbit": "CBIT_WITHDRAWAL"}  # fmt: skip
_DEPOSIT_TYPES = {"WIRE": "WIRE_DEPOSIT", "CUBIX": "CUBIX_DEPOSIT"}
_MEMO_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ZERO = Decimal(0)


@dataclass
class DepositInstructions(Wired):
    id: str
    profile_id: str
    network: str  # WIRE | DBS_ACT | CUBIX | SCB
    memo_id: str
    created_at: datetime
    routing_number_type: str | None = None  # ABA | SWIFT, wire only
    identity_id: str | None = None
    account_id: str | None = None
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    rule_id: str = ""  # made by an orchestration rule: deposits start its conversion
    status: str = "VALID"

    def bank(self) -> dict[str, Any]:
        """Where to send the money: Paxos's account on this network."""
        if self.network == "WIRE":
            routing = {"routing_number_type": self.routing_number_type,
                       "routing_number": "031302971", "bank_name": "Customers Bank",
                       "bank_address": dict(_BANK_ADDRESS)}  # fmt: skip
            return {"wire": {"account_number": "7339119",
                             "fiat_account_owner_address": dict(_PAXOS_ADDRESS),
                             "routing_details": routing}}  # fmt: skip
        if self.network == "CUBIX":
            return {"cubix": {"account_id": "paxos-trust-cubix"}}
        return {self.network.lower(): {"account_number": "0729001888"}}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "profile_id": self.profile_id}
        out["identity_id"] = self.identity_id or NIL_UUID  # required by the schema
        if self.account_id:
            out["account_id"] = self.account_id
        if self.ref_id:
            out["ref_id"] = self.ref_id
        out.update(
            status=self.status,
            memo_id=self.memo_id,
            fiat_network_instructions=self.bank(),
            fiat_account_owner={"institution_details": dict(_PAXOS_OWNER["institution_details"])},
        )
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        out["created_at"] = fmt_ts(self.created_at)
        return out


class Instructions(Family[DepositInstructions]):
    """Deposit instructions, by id and by ``memo_id``."""

    def __init__(self, core: Core, profiles: Profiles) -> None:
        super().__init__("fiat_deposit_instructions")
        self.core, self.profiles = core, profiles
        self.by_memo: dict[str, DepositInstructions] = {}

    def reset(self) -> None:
        self.clear()
        self.by_memo.clear()

    def find(self, ident: str) -> DepositInstructions:
        check_id(ident, "expected uuid, got {id}")
        found = self.get(ident)
        if found is None:
            raise not_found(f"fiat deposit instructions with id {ident} not found")
        return found

    def create(self, profile_id: str, network: str, routing_number_type: str | None,
               **fields: Any) -> DepositInstructions:  # fmt: skip
        """New VALID instructions with a unique 16-character ``memo_id`` (``fields``:
        ``identity_id``, ``account_id``, ``ref_id``, ``metadata``, ``rule_id``)."""
        self.check_ref(fields.get("ref_id"), "fiat deposit instructions")
        profile = self.profiles.find(profile_id)
        now, ident = self.core.now, self.core.new_id()
        rng = self.core.random("memo", ident)
        memo = "".join(rng.choice(_MEMO_CHARS) for _ in range(16))
        while memo in self.by_memo:  # unique per instruction
            memo = "".join(rng.choice(_MEMO_CHARS) for _ in range(16))
        record = DepositInstructions(
            ident, profile.id, network, memo, now, routing_number_type, **fields
        )
        self.add(record)
        self.by_memo[memo] = record
        self.core.changed("fiat_deposit_instructions.created", record, now)
        return record


class FiatTransfers:
    """Fiat withdrawals and sandbox fiat deposits (Transfer records of :class:`Transfers`)."""

    def __init__(self, core: Core, balances: Balances, transfers: Transfers,
                 accounts: FiatAccounts, instructions: Instructions, limits: Limits,
                 orchestrations: Any,
                 controls: IdentityControls | None = None) -> None:  # fmt: skip
        self.core, self.balances, self.transfers = core, balances, transfers
        self.accounts, self.instructions, self.limits = accounts, instructions, limits
        self.orchestrations = orchestrations
        self.controls = controls  # identity controls refuse withdrawals (controls.py)
        self.fee = ZERO  # fiat fees: deducted from deposits, added to withdrawals

    def reset(self) -> None:
        """Nothing of its own (the transfers are the Transfers backend's)."""

    def withdraw(self, profile: Profile, fiat_account_id: str, amount: Decimal | None,
                 total: Decimal | None, *, ref_id: str | None, memo: str | None,
                 **fields: Any) -> Transfer:  # fmt: skip
        """A PENDING debit of ``amount + fee`` to an APPROVED fiat account."""
        if self.controls is not None:
            self.controls.guard(fields.get("identity_id"), "WITHDRAWAL")
        existing = self.transfers.refs.get(ref_id) if ref_id else None
        if existing is not None:
            raise already_exists(
                f"activity with external id {ref_id} already exists", existing.to_json()
            )
        account, kind = self.approved(fiat_account_id, memo)
        fee = self.fee
        net = amount if amount is not None else (total or ZERO) - fee
        if net <= 0:
            raise bad_request(f"total must exceed the fee of {fmt_dec(fee)} USD")
        available = self.balances.pair(profile.id, "USD")[0]
        if available < net + fee:
            raise Problem(
                403,
                f"insufficient USD funds in profile {profile.id}: {fmt_dec(net + fee)} needed, "
                f"{fmt_dec(available)} available",
                title="Insufficient Funds", slug="insufficient-funds",
                meta={"profile_id": profile.id, "asset": "USD", "available": fmt_dec(available),
                      "needed": fmt_dec(net + fee)},
            )  # fmt: skip
        self.limits.check(kind, net + fee)
        outcome = self.core.outcomes.take("CreateFiatWithdrawal")
        self.balances.debit(profile.id, "USD", net + fee)
        transfer = self.transfers.new(
            profile.id, net, "USD", fee=fee, direction="DEBIT", type=kind, status="PENDING",
            kind="withdrawal", ref_id=ref_id, fiat_account_id=account.id, memo=memo, **fields,
        )  # fmt: skip

        def refund() -> None:  # returned: the debit is refunded
            self.balances.credit(profile.id, "USD", net + fee)

        self.pay_out(transfer, self.core.now, outcome, refund)
        return transfer

    def approved(self, fiat_account_id: str, memo: str | None) -> tuple[FiatAccount, str]:
        """The APPROVED fiat account ``fiat_account_id`` and its withdrawal type: 404 when
        unknown or deleted, 400 when not approved, not payable or ``memo`` is too long."""
        account = self.accounts.get(fiat_account_id)
        if account is None or account.deleted:
            raise not_found("fiat account not found with requested ID")
        if account.status != "APPROVED":
            raise bad_request(f"fiat account has invalid status {account.status}, must be approved")
        kind = _WITHDRAWAL_TYPES.get(account.network)
        if kind is None:
            raise bad_request(
                f"withdrawals to {account.network} fiat accounts are not emulated: Paxos "
                "documents no transfer type for them"
            )
        if memo and len(memo) > MEMO_CAPS[account.network]:
            raise bad_request(
                f"memo may hold at most {MEMO_CAPS[account.network]} characters on "
                f"{account.network}"
            )
        return account, kind

    def check_leg(self, kind: str, total: Decimal) -> None:
        """400 unless ``total`` (fee included) covers the fee; the transfer limits apply."""
        if total - self.fee <= 0:
            raise bad_request(f"total must exceed the fee of {fmt_dec(self.fee)} USD")
        self.limits.check(kind, total)

    def open_leg(self, profile_id: str, account: FiatAccount, kind: str, total: Decimal,
                 memo: str | None, **fields: Any) -> Transfer:  # fmt: skip
        """A PENDING fiat withdrawal of ``total`` less the fee (:meth:`check_leg` first) that
        debits no balance: an orchestration's destination leg, paid by its source leg."""
        return self.transfers.new(
            profile_id, total - self.fee, "USD", fee=self.fee, direction="DEBIT", type=kind,
            status="PENDING", kind="withdrawal", fiat_account_id=account.id, memo=memo,
            **fields,
        )  # fmt: skip

    def pay_out(self, transfer: Transfer, start: datetime, outcome: str = "COMPLETED",
                refund: Callable[[], None] | None = None,
                then: Callable[[datetime], None] | None = None) -> None:  # fmt: skip
        """The bank completes ``transfer`` the ``fiat_withdrawal`` delay after ``start`` (or
        returns it: FAILED and ``refund`` run); then ``then(when)``."""

        def settle(when: datetime) -> None:
            self.transfers.set_status(transfer, outcome, when)
            if outcome == "FAILED" and refund is not None:
                refund()
            if then is not None:
                then(when)

        self.core.after("fiat_withdrawal", start, settle)

    def sandbox_deposit(self, memo_id: str, amount: Decimal) -> Transfer:
        """``InitiateSandboxFiatDeposit``: a PENDING deposit to the profile of ``memo_id``,
        COMPLETED and credited the ``sandbox_fiat_deposit`` delay later."""
        record = self.instructions.by_memo.get(memo_id)
        if record is None:
            raise bad_request("memo_id not found")
        kind = _DEPOSIT_TYPES.get(record.network)
        if kind is None:
            raise bad_request(
                f"sandbox deposits to {record.network} instructions are not emulated: Paxos "
                "documents no transfer type for them; use WIRE or CUBIX instructions"
            )
        fee = min(self.fee, amount)
        outcome = self.core.outcomes.take("InitiateSandboxFiatDeposit")
        transfer = self.transfers.new(
            record.profile_id, amount, "USD", fee=fee, direction="CREDIT", type=kind,
            status="PENDING", kind="deposit", memo=memo_id, identity_id=record.identity_id,
            account_id=record.account_id,
        )  # fmt: skip

        def land(when: datetime) -> None:
            self.transfers.set_status(transfer, outcome, when)
            if outcome == "COMPLETED":
                self.balances.credit(transfer.profile_id, "USD", transfer.total)
                if record.rule_id:
                    self.orchestrations.on_fiat_deposit(transfer, record.rule_id)

        self.core.after("sandbox_fiat_deposit", self.core.now, land)
        return transfer
