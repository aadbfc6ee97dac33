"""Held-rate quotes (HRQ) and quote executions: the models and the quote state.

A quote is made at most once per market, side and second and lives 30 seconds; executing one
debits the paid side at once and credits the bought side at settlement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from ..fmt import Wired, fmt_dec, fmt_fixed, fmt_ts
from ..pricing import split_market

__all__ = [
    "HALF_SPREAD",
    "MAX_QUOTE_AMOUNT",
    "QUOTE_LIFE",
    "Quote",
    "QuoteExecution",
    "execute",
    "quote_for",
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


def quote_for(led: Any, market: str, side: str, now: datetime) -> Quote:
    """The quote of this market, side and second: new quotes come at most once per second."""
    second = math.floor(now.timestamp())
    slot = (market, side, second)
    found = led.quote_slots.get(slot)
    if found is None:
        mid = led.prices.mid(market, now)
        raw = mid * (1 + HALF_SPREAD) if side == "BUY" else mid * (1 - HALF_SPREAD)
        tick = led.prices.tick(market)
        rounding = ROUND_CEILING if side == "BUY" else ROUND_FLOOR
        price = (raw / tick).to_integral_value(rounding=rounding) * tick
        created = now.replace(microsecond=0)
        found = Quote(
            led.new_id(), market, side, price, led.prices.fmt_price(market, price), created
        )
        if len(led.quote_slots) >= PRUNE_AT:
            _prune(led, now)
        led.quotes.by_id[found.id] = found  # kept by id only: quotes have no list endpoint
        led.quote_slots[slot] = found
    return found


def _prune(led: Any, now: datetime) -> None:
    """Forget quotes expired for an hour (they answer 404 from then on, not 403)."""
    horizon = math.floor(now.timestamp()) - 3600
    for slot in [s for s in led.quote_slots if s[2] < horizon]:
        del led.quotes.by_id[led.quote_slots.pop(slot).id]


def execute(
    led: Any,
    quote: Quote,
    profile_id: str,
    base: Decimal,
    amount: Decimal,
    recipient: str,
    **fields: Any,
) -> QuoteExecution:
    """Debit the paid side now, credit the bought side to ``recipient`` at settlement."""
    base_asset, quote_asset = split_market(quote.market)
    if quote.side == "BUY":
        led.debit(profile_id, quote_asset, amount)
        credit = (base_asset, base)
    else:
        led.debit(profile_id, base_asset, base)
        credit = (quote_asset, amount)
    record = QuoteExecution(
        led.new_id(), profile_id, quote, base, amount, led.now, recipient, **fields
    )
    led.quote_executions.add(record)
    led.core.changed("quote_execution.created", record)

    def settle(when: datetime) -> None:
        led.credit(recipient, *credit)
        record.status, record.settled_at = "SETTLED", when
        led.core.changed("quote_execution.settled", record, when)

    led.schedule(led.now + led.settle_after, settle)
    return record
