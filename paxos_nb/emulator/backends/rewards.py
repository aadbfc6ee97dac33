"""The rewards engine (preview): reward addresses, payout groups, claim schedules, claims.

docs.paxos.com (Reward Addresses, Payout Groups, Claims, Reward Details; the rewards preview
spec): a reward (attribution) address accrues stablecoin rewards once ACTIVE; addresses
belong to a payout group whose claimer claims the group's rewards on chain, by hand or on a
DAILY claim schedule; updating or deleting an on-chain group claims its rewards first
(a CLAIM_ALL claim). Accrual is computed from the clock (a seeded daily amount per address,
credited at each 00:00 UTC), so balances and details move with ``emu.advance``; a claim goes
PENDING -> SUBMITTED (with a tx hash) -> CONFIRMED, one ``reward_claim`` delay per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ..cursors import key_of
from ..fmt import fmt_fixed, fmt_ts
from ..networks import make_tx_hash
from ..problems import bad_request, not_found
from .core import Core, Family

__all__ = [
    "ASSET_TYPES", "JURISDICTIONS", "LEDGERS", "Claim", "ClaimSchedule", "PayoutGroup",
    "RewardAddress", "Rewards",
]  # fmt: skip

LEDGERS = ("ETHEREUM", "SOLANA", "INK", "XLAYER", "ARBITRUM_ONE")
JURISDICTIONS = ("EU", "US")
ASSET_TYPES = ("USDG",)  # the Global Dollar [unverified: other assets]
RATES = {"US": "0.0376", "EU": "0.0350"}  # "0.0376" = 3.76 % a year (the docs' example)
DAY = timedelta(days=1)
ZERO = Decimal(0)


def _midnights(start: datetime, end: datetime) -> int:
    """How many 00:00 UTC instants lie in ``(start, end]``."""
    if end <= start:
        return 0
    return (end.date() - start.date()).days


def next_midnight(moment: datetime) -> datetime:
    day = moment.astimezone(timezone.utc).date() + DAY
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


@dataclass
class RewardAddress:
    id: str
    ledger: str
    address: str
    name: str
    payout_group_id: str
    status: str  # PENDING -> ACTIVE
    created_at: datetime
    daily: Decimal  # accrued at each 00:00 UTC once ACTIVE
    active_at: datetime | None = None
    claimed: Decimal = ZERO

    def accrued(self, now: datetime) -> Decimal:
        return self.daily * _midnights(self.active_at, now) if self.active_at else ZERO

    def balance(self, now: datetime) -> Decimal:
        return self.accrued(now) - self.claimed

    def to_json(self, now: datetime, with_balance: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "ledger": self.ledger, "address": self.address}
        if self.name:
            out["name"] = self.name
        if self.payout_group_id:
            out["payout_group_id"] = self.payout_group_id
        if with_balance:
            out["balance"] = fmt_fixed(self.balance(now), 6)
        out.update(status=self.status, created_at=fmt_ts(self.created_at))
        return out


@dataclass
class PayoutGroup:
    id: str
    ledger: str
    asset_type: str
    jurisdiction: str
    name: str
    claimer_address: str
    rate_id: str
    created_at: datetime
    updated_at: datetime
    onchain_status: str = "PENDING"  # -> ACTIVE once deployed on chain
    onchain_group_id: str = ""
    last_claim_all_at: datetime | None = None

    def to_json(self, now: datetime, balance: Decimal) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "ledger": self.ledger,
            "asset_type": self.asset_type,
            "rate_id": self.rate_id,
            "jurisdiction": self.jurisdiction,
            "name": self.name,
            "claimer_address": self.claimer_address,
            "manager_address": self.claimer_address,  # both default to the claimer
            "destination_address": self.claimer_address,
            "onchain_status": self.onchain_status,
            "balance": fmt_fixed(balance, 6),
            "balance_at": fmt_ts(now),
        }
        if self.onchain_group_id:
            out["onchain_group_id"] = self.onchain_group_id
        if self.last_claim_all_at:
            out["last_claim_all_at"] = fmt_ts(self.last_claim_all_at)
        out.update(created_at=fmt_ts(self.created_at), updated_at=fmt_ts(self.updated_at))
        return out


@dataclass
class ClaimSchedule:
    id: str
    payout_group_id: str
    schedule_type: str
    next_run_at: datetime
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payout_group_id": self.payout_group_id,
            "schedule_type": self.schedule_type,
            "next_run_at": fmt_ts(self.next_run_at),
            "created_at": fmt_ts(self.created_at),
            "updated_at": fmt_ts(self.updated_at),
        }


@dataclass
class Claim:
    id: str
    payout_group_id: str
    claim_type: str
    claim_schedule_id: str
    amount: Decimal
    asset_type: str
    blockchain: str
    jurisdiction: str
    addresses: list[str]
    created_at: datetime
    updated_at: datetime
    onchain_status: str = "PENDING"
    tx_hash: str = ""
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "payout_group_id": self.payout_group_id,
            "claim_type": self.claim_type,
        }
        if self.claim_schedule_id:
            out["claim_schedule_id"] = self.claim_schedule_id
        out.update(
            onchain_status=self.onchain_status,
            amount=fmt_fixed(self.amount, 6),
            asset_type=self.asset_type,
            blockchain=self.blockchain,
            addresses=list(self.addresses),
        )
        if self.tx_hash:
            out["tx_hash"] = self.tx_hash
        out["created_at"] = fmt_ts(self.created_at)
        out["updated_at"] = fmt_ts(self.updated_at)
        if self.submitted_at:
            out["submitted_at"] = fmt_ts(self.submitted_at)
        if self.confirmed_at:
            out["confirmed_at"] = fmt_ts(self.confirmed_at)
        return out


def _drop(family: Family[Any], record: Any) -> None:
    family.by_id.pop(record.id, None)
    family.created.remove(key_of(record.created_at, record.id))


class Rewards:
    """Every rewards record of the customer, and the accrual and claim machinery."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.addresses: Family[RewardAddress] = Family("reward_address")
        self.groups: Family[PayoutGroup] = Family("payout_group")
        self.schedules: Family[ClaimSchedule] = Family("claim_schedule")
        self.claims: Family[Claim] = Family("claim")

    def reset(self) -> None:
        for family in (self.addresses, self.groups, self.schedules, self.claims):
            family.clear()

    # -- lookups ------------------------------------------------------------------------------
    def _find(self, family: Family[Any], ident: str, label: str) -> Any:
        record = family.get(ident)
        if record is None:
            raise not_found(f"{label} not found: {ident}")
        return record

    def address(self, ident: str) -> RewardAddress:
        return self._find(self.addresses, ident, "reward address")

    def group(self, ident: str) -> PayoutGroup:
        return self._find(self.groups, ident, "payout group")

    def find_schedule(self, ident: str) -> ClaimSchedule:
        return self._find(self.schedules, ident, "claim schedule")

    def members(self, group: PayoutGroup) -> list[RewardAddress]:
        return [a for a in self.addresses if a.payout_group_id == group.id]

    def group_balance(self, group: PayoutGroup, now: datetime) -> Decimal:
        return sum((a.balance(now) for a in self.members(group)), ZERO)

    def rate_id(self, jurisdiction: str) -> str:
        return str(self.core.random("reward-rate", jurisdiction).getrandbits(64))

    # -- reward addresses ---------------------------------------------------------------------
    def add_address(self, ledger: str, address: str, name: str, group_id: str) -> RewardAddress:
        if any(a.ledger == ledger and a.address.lower() == address.lower() for a in self.addresses):
            raise bad_request(f"address {address} is already registered on {ledger}")
        if group_id:
            self._check_group_ledger(self.group(group_id), ledger)
        now = self.core.now
        cents = self.core.random("reward-daily", ledger, address.lower()).randrange(100, 1000)
        record = RewardAddress(
            self.core.new_id(), ledger, address, name, group_id, "PENDING", now,
            Decimal(cents) / 100,
        )  # fmt: skip
        self.addresses.add(record)
        self.core.changed("reward_address.created", record, now)

        def activate(when: datetime) -> None:
            if self.addresses.get(record.id) is record:
                record.status, record.active_at = "ACTIVE", when
                self.core.changed("reward_address.active", record, when, "PENDING")

        self.core.after("reward_address", now, activate)
        return record

    def _check_group_ledger(self, group: PayoutGroup, ledger: str) -> None:
        if group.ledger != ledger:
            raise bad_request(f"payout group {group.id} is on {group.ledger}, not {ledger}")

    def update_address(
        self, record: RewardAddress, name: str | None, group_id: str | None
    ) -> RewardAddress:
        if group_id:
            self._check_group_ledger(self.group(group_id), record.ledger)
        if name is not None:
            record.name = name
        if group_id is not None:
            record.payout_group_id = group_id
        self.core.changed("reward_address.updated", record, self.core.now)
        return record

    def remove_address(self, record: RewardAddress) -> None:
        _drop(self.addresses, record)
        self.core.changed("reward_address.removed", record, self.core.now)

    # -- payout groups ------------------------------------------------------------------------
    def add_group(
        self, ledger: str, asset_type: str, jurisdiction: str, name: str, claimer: str
    ) -> PayoutGroup:
        now = self.core.now
        group = PayoutGroup(
            self.core.new_id(), ledger, asset_type, jurisdiction, name, claimer,
            self.rate_id(jurisdiction), now, now,
        )  # fmt: skip
        self.groups.add(group)
        self.core.changed("payout_group.created", group, now)

        def deploy(when: datetime) -> None:
            if self.groups.get(group.id) is group:
                number = self.core.random("onchain-group", group.id).randrange(1, 10**9)
                group.onchain_status, group.onchain_group_id = "ACTIVE", str(number)
                group.updated_at = when
                self.core.changed("payout_group.active", group, when, "PENDING")

        self.core.after("payout_group", now, deploy)
        return group

    def update_group(self, group: PayoutGroup, name: str | None, jurisdiction: str | None):
        self._implicit_claim(group)
        if name is not None:
            group.name = name
        if jurisdiction is not None and jurisdiction != group.jurisdiction:
            group.jurisdiction, group.rate_id = jurisdiction, self.rate_id(jurisdiction)
        group.updated_at = self.core.now
        self.core.changed("payout_group.updated", group, group.updated_at)
        return group

    def remove_group(self, group: PayoutGroup) -> None:
        self._implicit_claim(group)
        for schedule in [s for s in self.schedules if s.payout_group_id == group.id]:
            self.remove_schedule(schedule)
        for member in self.members(group):
            member.payout_group_id = ""  # [unverified] the addresses stay, ungrouped
            self.core.changed("reward_address.updated", member, self.core.now)
        _drop(self.groups, group)
        self.core.changed("payout_group.removed", group, self.core.now)

    def _implicit_claim(self, group: PayoutGroup) -> None:
        """Updating or deleting an on-chain group claims its rewards (docs: payout groups)."""
        if group.onchain_status == "ACTIVE":
            self.claim_all(group, "")

    # -- claims -------------------------------------------------------------------------------
    def claim_all(self, group: PayoutGroup, schedule_id: str, at: datetime | None = None) -> Claim:
        """A CLAIM_ALL claim of the group's balance; its addresses' balances drop to zero."""
        now = at or self.core.now
        members = self.members(group)
        amount = ZERO
        for member in members:
            owed = member.balance(now)
            member.claimed += owed
            amount += owed
        claim = Claim(
            self.core.new_id(), group.id, "CLAIM_ALL", schedule_id, amount, group.asset_type,
            group.ledger, group.jurisdiction, [m.address for m in members], now, now,
        )  # fmt: skip
        group.last_claim_all_at = now
        self.claims.add(claim)
        self.core.changed("claim.created", claim, now)

        def submit(when: datetime) -> None:
            rng = self.core.random("claim-tx", claim.id)
            network = "SOLANA" if claim.blockchain == "SOLANA" else "ETHEREUM"
            claim.tx_hash = make_tx_hash(network, rng)
            claim.onchain_status, claim.submitted_at, claim.updated_at = "SUBMITTED", when, when
            self.core.changed("claim.submitted", claim, when, "PENDING")
            self.core.after("reward_claim", when, confirm)

        def confirm(when: datetime) -> None:
            claim.onchain_status, claim.confirmed_at, claim.updated_at = "CONFIRMED", when, when
            self.core.changed("claim.confirmed", claim, when, "SUBMITTED")

        self.core.after("reward_claim", now, submit)
        return claim

    # -- claim schedules ----------------------------------------------------------------------
    def add_schedule(self, group: PayoutGroup, schedule_type: str) -> ClaimSchedule:
        if any(s.payout_group_id == group.id for s in self.schedules):
            raise bad_request(f"payout group {group.id} already has a claim schedule")
        now = self.core.now
        record = ClaimSchedule(
            self.core.new_id(), group.id, schedule_type, next_midnight(now), now, now
        )
        self.schedules.add(record)
        self.core.changed("claim_schedule.created", record, now)
        self._plan(record)
        return record

    def _plan(self, record: ClaimSchedule) -> None:
        due = record.next_run_at

        def run(when: datetime) -> None:
            if self.schedules.get(record.id) is not record or record.next_run_at != due:
                return  # deleted or rescheduled meanwhile
            group = self.groups.get(record.payout_group_id)
            if group is not None:
                self.claim_all(group, record.id, when)
            record.next_run_at = due + DAY
            self._plan(record)

        self.core.schedule(due, run, "claim_schedule")

    def update_schedule(self, record: ClaimSchedule, schedule_type: str) -> ClaimSchedule:
        record.schedule_type, record.updated_at = schedule_type, self.core.now
        self.core.changed("claim_schedule.updated", record, record.updated_at)
        return record

    def remove_schedule(self, record: ClaimSchedule) -> None:
        _drop(self.schedules, record)
        self.core.changed("claim_schedule.removed", record, self.core.now)

    # -- details ------------------------------------------------------------------------------
    def details(self) -> dict[str, Any]:
        now = self.core.now
        active = [a for a in self.addresses if a.status == "ACTIVE"]
        effective = datetime(2025, 1, 1, tzinfo=timezone.utc)
        return {
            "rates": [
                {
                    "id": self.rate_id(where),
                    "rate": rate,
                    "networks": list(LEDGERS),
                    "jurisdiction": where,
                    "tier": "PARTNER_STANDARD_CUSTODY_TIER_1",
                    "effective_at": fmt_ts(effective),
                    "created_at": fmt_ts(effective),
                }
                for where, rate in RATES.items()
            ],
            "next_accrual": fmt_ts(next_midnight(now)),
            "lifetime_earned": fmt_fixed(sum((a.accrued(now) for a in active), ZERO), 6),
            "total_available_rewards": fmt_fixed(sum((a.balance(now) for a in active), ZERO), 6),
            "est_next_accrual_amount": fmt_fixed(sum((a.daily for a in active), ZERO), 6),
        }
