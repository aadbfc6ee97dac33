"""Held-rate quotes (HRQ) and quote executions: the models and the quote state.

A quote is made at most once per market, side and second and lives 30 seconds; executing one
debits the paid side at once and credits the bought side at settlement (the
``quote_execution`` delay later).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from ..fmt import (
    EXACT,
    Wired,
    ceil_to,
    check_precision,
    floor_to,
    fmt_dec,
    fmt_fixed,
    fmt_ts,
    parse_amount,
)
from ..pricing import Prices, split_market
from ..problems import Problem, bad_request, not_found
from ..trading import BASE_PLACES
from .core import Core, Family
from .profiles import Balances, Profile, Profiles

__all__ = [
    "HALF_SPREAD",
    "MAX_QUOTE_AMOUNT",
    "QUOTE_LIFE",
    "Quote",
    "QuoteExecution",
    "Quotes",
]

QUOTE_LIFE = timedelta(seconds=30)
HALF_SPREAD = Decimal("0.001")  # quotes sit 0.1% either side of the mid (emulator choice)
MAX_QUOTE_AMOUNT = Decimal(50_000)  # HRQ's default maximum per execution
PRUNE_AT = 5000  # quote slots kept before expired ones are forgotten


@dataclass
class Quote:
    id: str
    market: str
    side: str
    price: Decimal
    price_text: str
    created_at: datetime

    @property
    def expires_at(self) -> datetime:
        return self.created_at + QUOTE_LIFE

    def to_json(self) -> dict[str, Any]:
        base, quote = split_market(self.market)
        return {
            "id": self.id,
            "market": self.market,
            "side": self.side,
            "price": self.price_text,
            "base_asset": base,
            "quote_asset": quote,
            "created_at": fmt_ts(self.created_at),
            "expires_at": fmt_ts(self.expires_at),
        }


@dataclass
class QuoteExecution(Wired):
    id: str
    profile_id: str
    quote: Quote
    base_amount: Decimal
    quote_amount: Decimal
    created_at: datetime
    recipient_profile_id: str
    status: str = "CREATED"
    settled_at: datetime | None = None
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    identity_id: str | None = None
    account_id: str | None = None

    def flows(self) -> list[tuple[str, str, Decimal]]:
        """The paid side leaves at creation; the bought side arrives at settlement."""
        base, quote = split_market(self.quote.market)
        paid, got = (
            ((quote, self.quote_amount), (base, self.base_amount))
            if self.quote.side == "BUY"
            else ((base, self.base_amount), (quote, self.quote_amount))
        )
        out = [(paid[0], "trades", -paid[1])]
        if self.status == "SETTLED":
            out.append((got[0], "trades", got[1]))
        return out

    def to_json(self) -> dict[str, Any]:
        base, quote = split_market(self.quote.market)
        out: dict[str, Any] = {
            "id": self.id,
            "profile_id": self.profile_id,
            "quote_id": self.quote.id,
        }
        if self.ref_id:
            out["ref_id"] = self.ref_id
        out.update(
            status=self.status,
            market=self.quote.market,
            side=self.quote.side,
            price=self.quote.price_text,
            base_amount=fmt_dec(self.base_amount),
            base_asset=base,
            quote_amount=fmt_fixed(self.quote_amount, 2),
            quote_asset=quote,
            created_at=fmt_ts(self.created_at),
        )
        if self.settled_at:
            out["settled_at"] = fmt_ts(self.settled_at)
        out["metadata"] = dict(self.metadata)
        if self.identity_id:
            out["identity_id"] = self.identity_id
        if self.account_id:
            out["account_id"] = self.account_id
        if self.recipient_profile_id != self.profile_id:
            out["recipient_profile_id"] = self.recipient_profile_id
        return out


class Quotes:
    """Quotes by id (``by_id``; at most one per market, side and second: ``slots``) and
    quote executions (``executions``)."""

    def __init__(self, core: Core, profiles: Profiles, balances: Balances, prices: Prices) -> None:
        self.core, self.profiles, self.balances, self.prices = core, profiles, balances, prices
        self.by_id: dict[str, Quote] = {}  # no list endpoint: no creation index
        self.slots: dict[tuple[str, str, int], Quote] = {}  # (market, side, second) -> quote
        self.executions: Family[QuoteExecution] = Family("quote_execution")

    def reset(self) -> None:
        self.by_id.clear()
        self.slots.clear()
        self.executions.clear()

    # -- quotes -------------------------------------------------------------------------------
    def current(self, market: str, side: str) -> Quote:
        """The quote of this market, side and second: new quotes come at most once a second."""
        now = self.core.now
        second = math.floor(now.timestamp())
        slot = (market, side, second)
        found = self.slots.get(slot)
        if found is None:
            mid = self.prices.mid(market, now)
            raw = mid * (1 + HALF_SPREAD) if side == "BUY" else mid * (1 - HALF_SPREAD)
            tick = self.prices.tick(market)
            rounding = ROUND_CEILING if side == "BUY" else ROUND_FLOOR
            price = (raw / tick).to_integral_value(rounding=rounding) * tick
            created = now.replace(microsecond=0)
            found = Quote(
                self.core.new_id(), market, side, price,
                self.prices.fmt_price(market, price), created,
            )  # fmt: skip
            if len(self.slots) >= PRUNE_AT:
                self._prune(now)
            self.by_id[found.id] = found
            self.slots[slot] = found
            self.core.changed("quote.created", found, created)
        return found

    def _prune(self, now: datetime) -> None:
        """Forget quotes expired for an hour (they answer 404 from then on, not 403)."""
        horizon = math.floor(now.timestamp()) - 3600
        for slot in [s for s in self.slots if s[2] < horizon]:
            quote = self.by_id.pop(self.slots.pop(slot).id)
            self.core.changed("quote.removed", quote, now)

    # -- executions ---------------------------------------------------------------------------
    def find_execution(self, profile_id: str, ident: str) -> QuoteExecution:
        record = self.executions.get(ident)
        if record is None or record.profile_id != profile_id:
            raise not_found(f"quote execution not found: {ident}")
        return record

    def execute(
        self,
        profile: Profile,
        quote_id: str,
        base_amount: Any,
        quote_amount: Any,
        recipient_id: str | None,
        ref_id: str | None,
        **fields: Any,
    ) -> QuoteExecution:
        """Execute quote ``quote_id`` for exactly one of ``base_amount``/``quote_amount`` (as
        sent: parsed under the quote's rounding rules): debit the paid side now, credit the
        bought side to the recipient (``recipient_id`` or the profile) at settlement.

        A retry with a taken ``ref_id`` gets 409 with the original, even once the quote
        expired. ``fields``: ``metadata``, ``identity_id``, ``account_id``.
        """
        self.executions.check_ref(ref_id, "quote execution")
        quote = self.by_id.get(quote_id)
        if quote is None:
            raise not_found(f"quote not found with id {quote_id}")
        now = self.core.now
        if now > quote.expires_at:
            at = fmt_ts(quote.expires_at)
            raise Problem(
                403, f"quote {quote.id} expired at {at}", title="Expired", slug="expired",
                meta={"expired_at": at},
            )  # fmt: skip
        base, amount = _amounts(quote, base_amount, quote_amount)
        if amount > MAX_QUOTE_AMOUNT:
            raise bad_request(
                f"quote_amount {fmt_fixed(amount, 2)} is above the maximum "
                f"{fmt_dec(MAX_QUOTE_AMOUNT)} per quote execution"
            )
        recipient = self.profiles.find(recipient_id).id if recipient_id else profile.id
        base_asset, quote_asset = split_market(quote.market)
        if quote.side == "BUY":
            self.balances.debit(profile.id, quote_asset, amount)
            credit = (base_asset, base)
        else:
            self.balances.debit(profile.id, base_asset, base)
            credit = (quote_asset, amount)
        record = QuoteExecution(
            self.core.new_id(), profile.id, quote, base, amount, now, recipient,
            ref_id=ref_id, **fields,
        )  # fmt: skip
        self.executions.add(record)
        self.core.changed("quote_execution.created", record, now)

        def settle(when: datetime) -> None:
            self.balances.credit(recipient, *credit)
            record.status, record.settled_at = "SETTLED", when
            self.core.changed("quote_execution.settled", record, when, "CREATED")

        self.core.after("quote_execution", now, settle)
        return record


def _amounts(quote: Quote, base_text: Any, quote_text: Any) -> tuple[Decimal, Decimal]:
    """(base, quote) amounts under the HRQ rounding rules (docs.paxos.com, held-rate quotes)."""
    has_base = base_text not in (None, "")
    if has_base == (quote_text not in (None, "")):
        raise bad_request("specify exactly one of base_amount or quote_amount")
    base_asset, quote_asset = split_market(quote.market)
    buy = quote.side == "BUY"
    if has_base:
        base = parse_amount(base_text, "base_amount")
        check_precision(base, base_asset, BASE_PLACES)
        gross = EXACT.multiply(base, quote.price)
        # base + BUY ceils the quote amount; base + SELL floors it (cents).
        amount = ceil_to(gross, 2) if buy else floor_to(gross, 2)
        return base, amount
    amount = parse_amount(quote_text, "quote_amount")
    check_precision(amount, quote_asset, 2)
    units = EXACT.divide(amount, quote.price)
    # quote + BUY floors the base amount; quote + SELL ceils it.
    base = floor_to(units, BASE_PLACES) if buy else ceil_to(units, BASE_PLACES)
    if base <= 0:
        raise bad_request(f"quote_amount {quote_text} buys less than 1e-8 {base_asset}")
    return base, amount
