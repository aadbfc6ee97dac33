"""Held-rate quotes (HRQ) and quote executions (API-BRIEF.md section 10.4)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from .. import cursors
from ..fmt import (
    EXACT,
    Wired,
    body_of,
    ceil_to,
    check_precision,
    floor_to,
    fmt_dec,
    fmt_fixed,
    fmt_ts,
    metadata_of,
    opt_str,
    parse_amount,
    query_choice,
    query_list,
    range_filters,
    require,
    time_ok,
)
from ..pricing import MARKETS, split_market
from ..problems import Problem, already_exists, bad_request, not_found
from ..trading import BASE_PLACES
from . import Call, handles
from ._shared import ledger_of, listing

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


def _quote(led, market: str, side: str, now: datetime) -> Quote:
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


def _prune(led, now: datetime) -> None:
    """Forget quotes expired for an hour (they answer 404 from then on, not 403)."""
    horizon = math.floor(now.timestamp()) - 3600
    for slot in [s for s in led.quote_slots if s[2] < horizon]:
        del led.quotes.by_id[led.quote_slots.pop(slot).id]


@handles("ListQuotes")
def list_quotes(call: Call) -> dict[str, Any]:
    markets = list(dict.fromkeys(query_list(call.query, "markets", tuple(MARKETS))))
    if not markets:
        raise bad_request(
            "markets is required: pass one or more, e.g. markets=BTCUSD&markets=ETHUSD"
        )
    with ledger_of(call).at(call.now) as led:
        return {
            "items": [
                _quote(led, m, side, led.now).to_json() for m in markets for side in ("BUY", "SELL")
            ]
        }


def _amounts(body: dict[str, Any], quote: Quote) -> tuple[Decimal, Decimal]:
    """(base, quote) amounts under the HRQ rounding rules of the brief."""
    has_base = body.get("base_amount") not in (None, "")
    if has_base == (body.get("quote_amount") not in (None, "")):
        raise bad_request("specify exactly one of base_amount or quote_amount")
    base_asset, quote_asset = split_market(quote.market)
    buy = quote.side == "BUY"
    if has_base:
        base = parse_amount(body["base_amount"], "base_amount")
        check_precision(base, base_asset, BASE_PLACES)
        gross = EXACT.multiply(base, quote.price)
        # base + BUY ceils the quote amount; base + SELL floors it (cents).
        amount = ceil_to(gross, 2) if buy else floor_to(gross, 2)
        return base, amount
    amount = parse_amount(body["quote_amount"], "quote_amount")
    check_precision(amount, quote_asset, 2)
    units = EXACT.divide(amount, quote.price)
    # quote + BUY floors the base amount; quote + SELL ceils it.
    base = floor_to(units, BASE_PLACES) if buy else ceil_to(units, BASE_PLACES)
    if base <= 0:
        raise bad_request(f"quote_amount {body['quote_amount']} buys less than 1e-8 {base_asset}")
    return base, amount


@handles("CreateQuoteExecution")
def create_quote_execution(call: Call) -> dict[str, Any]:
    body = body_of(call)
    require(body, "quote_id")
    ref_id = opt_str(body, "ref_id")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        # A retry with the same ref_id gets 409 + the original, even once the quote expired.
        if ref_id and (existing := led.quote_executions.refs.get(ref_id)):
            raise already_exists(
                f"quote execution already exists with ref_id '{ref_id}'", existing.to_json()
            )
        quote = led.quotes.get(body["quote_id"])
        if quote is None:
            raise not_found(f"quote not found with id {body['quote_id']}")
        if led.now > quote.expires_at:
            at = fmt_ts(quote.expires_at)
            raise Problem(
                403, f"quote {quote.id} expired at {at}", title="Expired", slug="expired",
                meta={"expired_at": at},
            )  # fmt: skip
        base, amount = _amounts(body, quote)
        if amount > MAX_QUOTE_AMOUNT:
            raise bad_request(
                f"quote_amount {fmt_fixed(amount, 2)} is above the maximum "
                f"{fmt_dec(MAX_QUOTE_AMOUNT)} per quote execution"
            )
        recipient = profile.id
        if body.get("recipient_profile_id"):
            recipient = led.profile(body["recipient_profile_id"]).id
        base_asset, quote_asset = split_market(quote.market)
        if quote.side == "BUY":
            led.debit(profile.id, quote_asset, amount)
            credit = (base_asset, base)
        else:
            led.debit(profile.id, base_asset, base)
            credit = (quote_asset, amount)
        record = QuoteExecution(
            led.new_id(), profile.id, quote, base, amount, led.now, recipient,
            ref_id=ref_id, metadata=metadata_of(body),
            identity_id=opt_str(body, "identity_id"), account_id=opt_str(body, "account_id"),
        )  # fmt: skip
        led.quote_executions.add(record)

        def settle(when: datetime) -> None:
            led.credit(recipient, *credit)
            record.status, record.settled_at = "SETTLED", when

        led.schedule(led.now + led.settle_after, settle)
        return record.to_json()


@handles("GetQuoteExecution")
def get_quote_execution(call: Call) -> dict[str, Any]:
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        record = led.quote_executions.get(call.path_params["id"])
        if record is None or record.profile_id != profile.id:
            raise not_found(f"quote execution not found: {call.path_params['id']}")
        return record.to_json()


@handles("ListQuoteExecutions")
def list_quote_executions(call: Call) -> dict[str, Any]:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    query_choice(q, "order_by", ("CREATED_AT",))
    side = query_choice(q, "side", ("BUY", "SELL"))
    market = query_choice(q, "market", tuple(MARKETS))
    status = query_choice(q, "status", ("CREATED", "SETTLED"))
    window = range_filters(q, "created_at")
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])

        def keep(r: QuoteExecution) -> bool:
            return (
                r.profile_id == profile.id
                and (side is None or r.quote.side == side)
                and (market is None or r.quote.market == market)
                and (status is None or r.status == status)
                and time_ok(r.created_at, window)
            )

        total = sum(1 for r in led.quote_executions if keep(r))
        found, cursor = cursors.page(
            led.quote_executions.created, kind="quote_executions", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, head={"total_count": total})
