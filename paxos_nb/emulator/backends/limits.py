"""Transfer limits (``GET /transfer/limits/utilizations``): rules and what is left of them.

Paxos documents the shape only (docs.paxos.com, Limits): a rule covers some transfer types,
over a period (``period_seconds``, a string; ``"0"`` is a per-transaction limit, which has no
utilization ``id`` and whose ``remaining`` is its ``limit``), in ``limit_asset``. The rules
and figures here are the emulator's (docs/emulator.md lists them): ``remaining`` is the limit
less the USD value of the transfers of those types made in the last ``period_seconds`` that
did not fail, so it always agrees with the transfer list. Withdrawals and Paxos transfers
that would go over a limit are refused with 400 ``exceed-max-withdraw-limit``; deposits are
only reported (CUBIX deposits are never limited).
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..cursors import key_of
from ..fmt import fmt_dec
from ..networks import usd_value
from ..pricing import Prices
from ..problems import Problem
from ..records import Transfer
from .core import Core
from .transfers import Transfers

__all__ = ["RULES", "Limits", "Rule"]

DAY = 86_400


@dataclass(frozen=True)
class Rule:
    """One limit rule: the transfer types it covers, its period (0: per transaction)."""

    name: str  # seeds its ids
    transfer_types: tuple[str, ...]
    period_seconds: int
    limit: Decimal
    limit_asset: str = "USD"


RULES = (
    Rule("fiat-withdrawals-daily", ("CBIT_WITHDRAWAL", "CUBIX_WITHDRAWAL", "WIRE_WITHDRAWAL"),
         DAY, Decimal(5_000_000)),
    Rule("wire-withdrawal-per-transaction", ("WIRE_WITHDRAWAL",), 0, Decimal(1_000_000)),
    Rule("crypto-withdrawals-daily", ("CRYPTO_WITHDRAWAL",), DAY, Decimal(5_000_000)),
    Rule("paxos-transfers-daily", ("PAXOS_TRANSFER_DEBIT",), DAY, Decimal(2_000_000)),
    Rule("wire-deposits-daily", ("WIRE_DEPOSIT",), DAY, Decimal(10_000_000)),
)  # fmt: skip
_REFUSED = frozenset(("CBIT_WITHDRAWAL", "CUBIX_WITHDRAWAL", "WIRE_WITHDRAWAL",
                      "CRYPTO_WITHDRAWAL", "PAXOS_TRANSFER_DEBIT"))  # fmt: skip


class Limits:
    """The rules of the customer and their utilization, computed from the transfers."""

    def __init__(self, core: Core, transfers: Transfers, prices: Prices) -> None:
        self.core, self.transfers, self.prices = core, transfers, prices
        self.rules = tuple(sorted(RULES, key=lambda r: r.name))

    def reset(self) -> None:
        """Nothing to forget: the rules are fixed and usage is read from the transfers."""

    def _id(self, *parts: str) -> str:
        return str(uuid.UUID(int=self.core.random("limit", *parts).getrandbits(128), version=4))

    def value(self, transfer: Transfer, asset: str) -> Decimal:
        """What ``transfer`` counts against a limit in ``asset`` (USD: its USD value)."""
        if transfer.balance_asset == asset:
            return transfer.total
        if transfer.notional_value is not None:
            return transfer.notional_value
        return usd_value(self.prices, transfer.asset, transfer.total, transfer.created_at)

    def used(self, rule: Rule, now: datetime) -> Decimal:
        """The value of the transfers ``rule`` covers, made in its period up to ``now``."""
        index = self.transfers.created
        since = now - timedelta(seconds=rule.period_seconds)
        start = bisect.bisect_left(index.keys, key_of(since, ""))
        total = Decimal(0)
        for position in range(start, len(index)):
            transfer = index[position][1]
            if transfer.created_at > now:
                break
            if transfer.type in rule.transfer_types and transfer.status != "FAILED":
                total += self.value(transfer, rule.limit_asset)
        return total

    def utilizations(self, transfer_type: str) -> list[dict[str, Any]]:
        """``TransferLimit`` objects of the rules covering ``transfer_type``, at now."""
        now, out = self.core.now, []
        for rule in self.rules:
            if transfer_type not in rule.transfer_types:
                continue
            item: dict[str, Any] = {}
            remaining = rule.limit
            if rule.period_seconds:
                item["id"] = self._id(rule.name, "utilization")
                remaining = max(rule.limit - self.used(rule, now), Decimal(0))
            item.update(
                rule_id=self._id(rule.name),
                transfer_types=sorted(rule.transfer_types),
                period_seconds=str(rule.period_seconds),
                limit=fmt_dec(rule.limit),
                remaining=fmt_dec(remaining),
                limit_asset=rule.limit_asset,
            )
            out.append(item)
        return out

    def check(self, transfer_type: str, value: Decimal) -> None:
        """400 ``exceed-max-withdraw-limit`` if a new ``transfer_type`` worth ``value`` (in
        the limit asset, USD) would go over a rule; deposits are never refused."""
        if transfer_type not in _REFUSED:
            return
        for rule in self.rules:
            if transfer_type not in rule.transfer_types:
                continue
            left = rule.limit
            if rule.period_seconds:
                left = rule.limit - self.used(rule, self.core.now)
            if value > left:
                period = f"{rule.period_seconds} s" if rule.period_seconds else "per-transaction"
                raise Problem(
                    400,
                    f"{transfer_type} of {fmt_dec(value)} {rule.limit_asset} exceeds the {period} "
                    f"limit of {fmt_dec(rule.limit)} {rule.limit_asset} "
                    f"({fmt_dec(max(left, Decimal(0)))} remaining)",
                    title="Withdrawal Amount Too Large",
                    slug="exceed-max-withdraw-limit",
                    meta={"limit": fmt_dec(rule.limit), "amount": fmt_dec(value)},
                )
