"""Issuer quotes: minting (BUY) and redeeming (SELL) PAXG with Paxos as the issuer.

docs.paxos.com (Issuer Quotes; spec operations CreateIssuerQuote, CreateIssuerQuoteExecution,
ListIssuerQuoteExecutions; the settlement-availability page): a quote holds a PAXGUSD price for
a few seconds, only while the London gold market is open (Sunday 6pm to Friday 5pm New York
time, with a daily 5-6pm pause); executing it debits the paid side at once. A BUY settles T+0
(the ``issuer_quote_execution`` delay later) within the day's availability; a SELL credits its
USD at T+1. The fee is charged in PAXG: a BUY receives ``quantity - fee`` PAXG for
``price x quantity`` USD, a SELL delivers ``quantity`` PAXG for ``price x (quantity - fee)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..fmt import EXACT, Wired, ceil_to, floor_to, fmt_dec, fmt_fixed, fmt_ts
from ..pricing import Prices
from ..problems import Problem, bad_request, not_found
from .core import Core, Family
from .profiles import Balances, Profile, Profiles

__all__ = ["MARKET", "IssuerQuote", "IssuerQuoteExecution", "IssuerQuotes", "gold_market_open"]

MARKET = "PAXGUSD"
QUOTE_LIFE = timedelta(seconds=5)  # the example in the spec's tag text
FEE_RATE = Decimal("0.0025")  # of the quantity, in PAXG [unverified]
PAXG_PLACES = 8
SELL_SETTLES = timedelta(days=1)  # T+1
try:
    NEW_YORK: Any = ZoneInfo("America/New_York")
except ZoneInfoNotFoundError:  # no tz database: Eastern Standard Time all year
    NEW_YORK = timezone(timedelta(hours=-5))


def gold_market_open(moment: datetime) -> bool:
    """London gold trades Sunday 18:00 to Friday 17:00 New York time, paused 17:00-18:00."""
    local = moment.astimezone(NEW_YORK)
    day, hour = local.weekday(), local.hour  # Monday is 0
    if hour == 17 or day == 5:
        return False
    if day == 4:
        return hour < 17
    if day == 6:
        return hour >= 18
    return True


@dataclass
class IssuerQuote(Wired):
    id: str
    profile_id: str
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    quote_amount: Decimal
    created_at: datetime
    executed: bool = False

    @property
    def expires_at(self) -> datetime:
        return self.created_at + QUOTE_LIFE

    def to_json(self) -> dict[str, Any]:
        return {
            "quote_id": self.id,
            "market": MARKET,
            "side": self.side,
            "quantity": fmt_dec(self.quantity),
            "price": fmt_fixed(self.price, 2),
            "fee": fmt_dec(self.fee),
            "quote_amount": fmt_fixed(self.quote_amount, 2),
            "expires_at": fmt_ts(self.expires_at),
        }


@dataclass
class IssuerQuoteExecution(Wired):
    id: str
    profile_id: str
    quote: IssuerQuote
    status: str  # PENDING | COMPLETE | FAILED
    created_at: datetime
    completed_at: datetime | None = None

    @property
    def tokens(self) -> Decimal:
        return self.quote.quantity - self.quote.fee

    def flows(self) -> list[tuple[str, str, Decimal]]:
        """The paid side leaves at execution; the other side arrives at completion."""
        q = self.quote
        if q.side == "BUY":
            paid, got = ("USD", q.quote_amount), ("PAXG", self.tokens)
        else:
            paid, got = ("PAXG", q.quantity), ("USD", q.quote_amount)
        out = [(paid[0], "trades", -paid[1])]
        if self.status == "COMPLETE":
            out.append((got[0], "trades", got[1]))
        return out

    def to_json(self) -> dict[str, Any]:
        q = self.quote
        sign = 1 if q.side == "BUY" else -1  # tokens in for a BUY, out for a SELL
        return {
            "id": self.id,
            "created_at": fmt_ts(self.created_at),
            "asset_type": "PAXG",
            "principal": fmt_fixed(-sign * q.quote_amount, 2),
            "fee": fmt_fixed(q.fee * q.price, 2),
            "status": self.status,
            "ref_id": q.id,
            "token_fee": fmt_dec(q.fee),
            "token_price": fmt_fixed(q.price, 2),
            "token_principal": fmt_dec(sign * self.tokens),
            "profile_id": self.profile_id,
        }


class IssuerQuotes:
    """Held issuer quotes (by id) and their executions (a listed family)."""

    def __init__(self, core: Core, profiles: Profiles, balances: Balances, prices: Prices) -> None:
        self.core, self.profiles, self.balances, self.prices = core, profiles, balances, prices
        self.quotes: dict[str, IssuerQuote] = {}
        self.executions: Family[IssuerQuoteExecution] = Family("issuer_quote_execution")
        self.minted: dict[str, Decimal] = {}  # PAXG bought T+0, per UTC day

    def reset(self) -> None:
        self.quotes.clear()
        self.executions.clear()
        self.minted.clear()

    # -- availability -------------------------------------------------------------------------
    def daily_cap(self, day: str) -> Decimal:
        """PAXG available for T+0 purchase on ``day`` (seeded per day) [unverified]."""
        return Decimal(self.core.random("issuer-cap", day).randrange(200_000, 800_000)) / 1000

    def buy_available(self, moment: datetime) -> Decimal:
        if not gold_market_open(moment):
            return Decimal(0)
        day = moment.date().isoformat()
        return max(Decimal(0), self.daily_cap(day) - self.minted.get(day, Decimal(0)))

    def availability(self) -> dict[str, Any]:
        now = self.core.now
        return {
            "buy_quantity": fmt_fixed(self.buy_available(now), 3),
            "sell_quantity": "0.000",  # sells settle T+1: nothing settles today
            "market": MARKET,
            "snapshot_at": fmt_ts(now.replace(microsecond=0)),
        }

    # -- quotes and executions ----------------------------------------------------------------
    def quote(self, profile: Profile, side: str, quantity: Decimal) -> IssuerQuote:
        now = self.core.now
        if not gold_market_open(now):
            raise bad_request(
                "no issuer quotes while the London gold market is closed "
                "(open Sunday 6pm to Friday 5pm New York time, paused daily 5-6pm)"
            )
        price = self.prices.mid(MARKET, now).quantize(Decimal("0.01"))
        fee = ceil_to(EXACT.multiply(quantity, FEE_RATE), PAXG_PLACES)
        if fee >= quantity:
            raise bad_request(f"base_amount {fmt_dec(quantity)} does not cover the fee")
        tokens = quantity if side == "BUY" else quantity - fee
        amount = EXACT.multiply(price, tokens)
        quote_amount = ceil_to(amount, 2) if side == "BUY" else floor_to(amount, 2)
        record = IssuerQuote(
            self.core.new_id(), profile.id, side, quantity, price, fee, quote_amount,
            now.replace(microsecond=0),  # held from its whole second, as held-rate quotes are
        )  # fmt: skip
        self.quotes[record.id] = record
        self.core.changed("issuer_quote.created", record, now)
        return record

    def execute(self, quote_id: str, profile_id: str) -> IssuerQuoteExecution:
        quote = self.quotes.get(quote_id)
        if quote is None:
            raise not_found(f"issuer quote not found: {quote_id}")
        if profile_id != quote.profile_id:
            raise bad_request(f"profile_id {profile_id} is not the profile of quote {quote_id}")
        now = self.core.now
        if now > quote.expires_at:
            raise Problem(403, "expired", title="Expired", slug="expired")
        if quote.executed:
            raise Problem(409, f"issuer quote {quote_id} was already executed")
        day = now.date().isoformat()
        if quote.side == "BUY":
            available = self.buy_available(now)
            if quote.quantity > available:
                raise bad_request(
                    f"base_amount {fmt_dec(quote.quantity)} PAXG exceeds today's settlement "
                    f"availability of {fmt_fixed(available, 3)} PAXG"
                )
            self.balances.debit(profile_id, "USD", quote.quote_amount)
            self.minted[day] = self.minted.get(day, Decimal(0)) + quote.quantity
            credit, delay = ("PAXG", quote.quantity - quote.fee), None
        else:
            self.balances.debit(profile_id, "PAXG", quote.quantity)
            credit, delay = ("USD", quote.quote_amount), SELL_SETTLES
        quote.executed = True
        record = IssuerQuoteExecution(self.core.new_id(), profile_id, quote, "PENDING", now)
        self.executions.add(record)
        self.core.changed("issuer_quote_execution.created", record, now)

        def complete(when: datetime) -> None:
            self.balances.credit(profile_id, *credit)
            record.status, record.completed_at = "COMPLETE", when
            self.core.changed("issuer_quote_execution.complete", record, when, "PENDING")

        if delay is None:
            self.core.after("issuer_quote_execution", now, complete)
        else:
            self.core.schedule(now + delay, complete, "issuer_quote_execution")
        return record
