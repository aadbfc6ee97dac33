"""Orders and executions (the models) and the arithmetic of matching: which fills the
synthetic book offers an order, and what an order must hold in reserve.

Pure functions of their arguments; the state changes (reserving, filling, closing) are the
:class:`~.backends.orders.Orders` backend's. Takers pay a 0.35% commission in the quote
asset (the rate of the spec's execution example).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .fmt import EXACT, Wired, fmt_dec, fmt_fixed, fmt_ts, quantize
from .pricing import split_market

COMMISSION = Decimal("0.0035")
BASE_PLACES = 8  # order and execution base amounts: 1e-8
CLOSED = ("FILLED", "CANCELLED", "REJECTED")
# CreateOrder: a stop order "will convert to a market sell order" (STOP_MARKET) or "to a limit
# sell order" (STOP_LIMIT) "when the stop price is hit"; only sell stops are supported.
STOP_TYPES = ("STOP_MARKET", "STOP_LIMIT")
ZERO = Decimal(0)


@dataclass
class Execution(Wired):
    execution_id: str
    order_id: str
    profile_id: str
    executed_at: datetime
    market: str
    side: str
    amount: Decimal
    price: Decimal
    commission: Decimal
    price_text: str
    account_id: str | None = None  # the order's identity_account_id (Execution.account_id)

    @property
    def id(self) -> str:
        return self.execution_id

    @property
    def created_at(self) -> datetime:
        return self.executed_at

    @property
    def gross(self) -> Decimal:
        return EXACT.multiply(self.amount, self.price)

    def flows(self) -> list[tuple[str, str, Decimal]]:
        base, quote = split_market(self.market)
        if self.side == "BUY":
            return [
                (base, "trades", self.amount),
                (quote, "trades", -(self.gross + self.commission)),
            ]
        return [(base, "trades", -self.amount), (quote, "trades", self.gross - self.commission)]

    def to_json(self) -> dict[str, Any]:
        quote = split_market(self.market)[1]
        out = {
            "execution_id": self.execution_id,
            "order_id": self.order_id,
            "executed_at": fmt_ts(self.executed_at),
            "market": self.market,
            "side": self.side,
            "amount": fmt_fixed(self.amount, BASE_PLACES),
            "price": self.price_text,
            "commission": fmt_dec(self.commission),
            "commission_asset": quote,
            "rebate": "0",
            "rebate_asset": quote,
            "gross_trade_amount": fmt_dec(self.gross),
        }
        if self.account_id is not None:
            out["account_id"] = self.account_id
        return out


@dataclass
class Order(Wired):
    id: str
    profile_id: str
    side: str
    market: str
    type: str
    time_in_force: str
    created_at: datetime
    base_amount: Decimal = ZERO  # limit orders and market sells
    price: Decimal = ZERO  # limit orders
    quote_amount: Decimal = ZERO  # market buys
    price_text: str = "0"
    status: str = "SUBMITTED"
    modified_at: datetime | None = None
    closed_at: datetime | None = None
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    expiration_date: datetime | None = None
    identity_id: str | None = None
    identity_account_id: str | None = None
    recipient_profile_id: str | None = None
    amount_filled: Decimal = ZERO
    notional: Decimal = ZERO  # sum of price * amount over the fills
    reserved: Decimal = ZERO  # held in the profile's trading balance
    reserved_asset: str = ""
    stop_price: Decimal = ZERO  # STOP_MARKET / STOP_LIMIT only
    stop_price_text: str = ""
    is_triggered: bool = False
    resting: bool = False  # its unfilled part is in the live book (never sent)

    @property
    def is_stop(self) -> bool:
        return self.type in STOP_TYPES

    @property
    def vwap(self) -> str:
        if not self.amount_filled:
            return "0.00000000"
        value = EXACT.divide(self.notional, self.amount_filled)
        return fmt_dec(value.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "profile_id": self.profile_id}
        if self.ref_id:
            out["ref_id"] = self.ref_id
        out.update(
            status=self.status,
            market=self.market,
            side=self.side,
            type=self.type,
            price=self.price_text,
            base_amount=fmt_dec(self.base_amount),
            quote_amount=fmt_fixed(self.quote_amount, 2) if self.quote_amount else "0",
            metadata=dict(self.metadata),
            created_at=fmt_ts(self.created_at),
            modified_at=fmt_ts(self.modified_at or self.created_at),
            amount_filled=fmt_fixed(self.amount_filled, BASE_PLACES),
            volume_weighted_average_price=self.vwap,
            time_in_force=self.time_in_force,
        )
        if self.expiration_date:
            out["expiration_date"] = fmt_ts(self.expiration_date)
        if self.identity_id:
            out["identity_id"] = self.identity_id
            out["identity_account_id"] = self.identity_account_id
        if self.recipient_profile_id:
            out["recipient_profile_id"] = self.recipient_profile_id
        if self.is_stop:
            out["stop_price"] = self.stop_price_text
        out["is_triggered"] = self.is_triggered
        return out


def is_market(order: Order) -> bool:
    """Does the order take whatever the book offers (a MARKET or a triggered STOP_MARKET)?"""
    return order.type in ("MARKET", "STOP_MARKET")


def crosses(order: Order, price: Decimal) -> bool:
    """Would this order trade at ``price`` (a level of the other side)?"""
    if is_market(order):
        return True
    return price <= order.price if order.side == "BUY" else price >= order.price


def plan_fills(
    order: Order, levels: list[tuple[Decimal, Decimal]]
) -> tuple[list[tuple[Decimal, Decimal]], bool]:
    """The (price, amount) fills the book offers this order, and whether it is complete."""
    fills: list[tuple[Decimal, Decimal]] = []
    base_left, quote_left = order.base_amount, order.quote_amount
    for price, available in levels:
        if not crosses(order, price):
            break
        if order.type == "MARKET" and order.side == "BUY":
            amount = min(available, quantize(EXACT.divide(quote_left, price), BASE_PLACES))
            if amount <= 0:
                return fills, True  # the rest is dust below one base unit: done
            quote_left -= EXACT.multiply(amount, price)
        else:
            amount = min(available, base_left)
            base_left -= amount
        fills.append((price, amount))
        if base_left == 0 and order.base_amount:
            return fills, True
    return fills, False


def worst_cost(order: Order) -> tuple[str, Decimal]:
    """(asset, amount) to reserve so every fill the order could make is covered."""
    base, quote = split_market(order.market)
    if order.side == "SELL":
        return base, order.base_amount
    gross = order.quote_amount if order.type == "MARKET" else order.base_amount * order.price
    return quote, EXACT.add(gross, EXACT.multiply(gross, COMMISSION))


def remaining_cost(order: Order) -> Decimal:
    """What a resting order must keep reserved for its unfilled part."""
    left = order.base_amount - order.amount_filled
    if order.side == "SELL":
        return left
    gross = EXACT.multiply(left, order.price)
    return EXACT.add(gross, EXACT.multiply(gross, COMMISSION))
