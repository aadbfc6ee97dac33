"""Orders and their executions: placing, matching against the synthetic book, closing.

An order reserves its worst-case cost in ``trading`` when it is placed (``order.created``,
SUBMITTED) and is matched at once against the book of that instant: each fill spends from the
reservation and credits the bought asset (``execution.created``). It then closes
(``order.filled`` / ``order.cancelled`` / ``order.rejected``), giving back what it still
holds, or rests OPEN (``order.open``) keeping only what its unfilled part needs. The book is
the market's live book (:mod:`.books`): fills take its synthetic liquidity and are public
trades, a resting order shows in its price level until it closes. Resting orders never fill
later; a GTT order is cancelled at its expiration date.

A stop order (STOP_MARKET, STOP_LIMIT: sell stop-losses) is armed instead: OPEN, reserved,
not in the book, ``is_triggered`` false. It triggers when the market's best bid (the price
a sell would get) is at or below its stop price, checked when it is placed and after every
background step of the book, at that step's instant (``order.updated``); it is then matched
as a market sell or as a limit sell at its ``price``, exactly like the orders above, unless
an identity control set since forbids the identity's sells (then it is REJECTED).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from ..book import Book
from ..fmt import EXACT, fmt_dec
from ..pricing import Prices, split_market
from ..problems import Problem, already_exists, not_found
from ..trading import (
    CLOSED,
    COMMISSION,
    Execution,
    Order,
    crosses,
    is_market,
    plan_fills,
    remaining_cost,
    worst_cost,
)
from .books import Books
from .controls import IdentityControls
from .core import Core, Family
from .profiles import Balances, Profiles

__all__ = ["OrderRequest", "Orders"]

ZERO = Decimal(0)
MAX_NOTIONAL = {
    "MARKET": Decimal(500_000),
    "BTCUSD": Decimal(1_500_000),
    "ETHUSD": Decimal(1_500_000),
}
LIMIT_NOTIONAL = Decimal(1_000_000)
TAKER_BAND = Decimal("0.15")  # a taker limit priced 15% or more from the mid is rejected
REF_REUSE_AFTER = timedelta(hours=24)  # a ref_id is free again 24 h after its order closed


@dataclass(frozen=True)
class OrderRequest:
    """A parsed ``CreateOrder`` body (amounts, price and tick already checked)."""

    profile_id: str
    side: str
    market: str
    type: str
    time_in_force: str
    base_amount: Decimal = ZERO  # limit orders and market sells
    quote_amount: Decimal = ZERO  # market buys
    price: Decimal = ZERO  # limit orders
    price_text: str = "0"
    stop_price: Decimal = ZERO  # stop orders
    stop_price_text: str = ""
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    expiration_date: datetime | None = None
    identity_id: str | None = None
    identity_account_id: str | None = None
    recipient_profile_id: str | None = None  # as sent: resolved when the order is placed


class Orders(Family[Order]):
    """Every order of the customer, and their executions (``executions``)."""

    def __init__(
        self,
        core: Core,
        profiles: Profiles,
        balances: Balances,
        prices: Prices,
        books: Books,
        controls: IdentityControls | None = None,
    ) -> None:
        super().__init__("order")
        self.core, self.profiles, self.balances, self.prices = core, profiles, balances, prices
        self.books = books
        self.controls = controls  # identity controls: SELL_ONLY, CLOSED ... (controls.py)
        self.executions: Family[Execution] = Family("execution")
        self.armed: dict[str, list[Order]] = {}  # market -> stop orders not yet triggered
        books.watchers.append(self._on_book_step)

    def reset(self) -> None:
        self.clear()
        self.executions.clear()
        self.armed.clear()

    def find(self, profile_id: str, ident: str) -> Order:
        """The order ``ident`` of ``profile_id``; 404 ``order not found: <id>`` otherwise."""
        order = self.get(ident)
        if order is None or order.profile_id != profile_id:
            raise not_found(f"order not found: {ident}")
        return order

    # -- placing ------------------------------------------------------------------------------
    def place(self, request: OrderRequest) -> tuple[Order, Order]:
        """Reserve, record and match a new order: ``(the order now, the order as submitted)``.

        403 insufficient-funds, notional or market-condition refusals leave no trace; 409
        already-exists when ``ref_id`` belongs to an order that is open or closed for less
        than 24 hours.
        """
        now = self.core.now
        r = request
        if self.controls is not None:
            self.controls.guard(r.identity_id, r.side)
        order = Order(
            self.core.new_id(), r.profile_id, r.side, r.market, r.type, r.time_in_force, now,
            base_amount=r.base_amount, price=r.price, quote_amount=r.quote_amount,
            price_text=r.price_text, stop_price=r.stop_price, stop_price_text=r.stop_price_text,
            ref_id=r.ref_id, metadata=r.metadata,
            expiration_date=r.expiration_date, identity_id=r.identity_id,
            identity_account_id=r.identity_account_id,
        )  # fmt: skip
        if r.recipient_profile_id:
            order.recipient_profile_id = self.profiles.find(r.recipient_profile_id).id
        existing = self.refs.get(r.ref_id) if r.ref_id else None
        if existing and not (
            existing.status in CLOSED
            and existing.closed_at is not None
            and existing.closed_at < now - REF_REUSE_AFTER
        ):
            raise already_exists(
                f"order already exists with ref_id '{r.ref_id}'", existing.to_json()
            )
        self._market_checks(order, now)
        order.reserved_asset, order.reserved = worst_cost(order)
        self.balances.reserve(order.profile_id, order.reserved_asset, order.reserved)
        self.add(order)
        self.core.changed("order.created", order, now)
        submitted = replace(order)  # Paxos answers the order as SUBMITTED, matched right after
        if order.is_stop:
            self._arm(order, now)
        else:
            self._match(order, now)
        if order.status == "OPEN" and order.expiration_date:

            def expire(when: datetime) -> None:
                if order.status == "OPEN":
                    self._close(order, "CANCELLED", when)

            self.core.scheduler.at(order.expiration_date, expire, "order")
        return order, submitted

    def _market_checks(self, order: Order, now: datetime) -> None:
        mid = self.prices.mid(order.market, now)
        if order.market.startswith("MATIC") and order.side == "BUY":
            raise Problem(
                403, "no marketable orders may be submitted at this time",
                title="Planned Market Outage", slug="unavailable-market",
            )  # fmt: skip
        notional = (
            order.quote_amount
            if order.quote_amount
            else EXACT.multiply(order.base_amount, order.price or mid)
        )
        cap = MAX_NOTIONAL.get("MARKET" if is_market(order) else order.market, LIMIT_NOTIONAL)
        if notional > cap:
            shown = fmt_dec(notional.quantize(Decimal("0.01")))
            raise Problem(
                403,
                f"notional value too large for {order.market} {order.type} order: order had "
                f"notional value {shown}, but maximum allowed notional value is {fmt_dec(cap)}",
                title="Notional Value Too Large",
                slug="notional-value-too-large",
                meta={
                    "market": order.market,
                    "order_type": order.type,
                    "order_notional_value": shown,
                    "max_notional_value": fmt_dec(cap),
                },
            )
        if order.type == "LIMIT":
            book = self.books.book(order.market)
            bids, asks = book.levels("BUY"), book.levels("SELL")
            taker = order.price >= asks[0][0] if order.side == "BUY" else order.price <= bids[0][0]
            if taker and abs(order.price - mid) >= mid * TAKER_BAND:
                raise Problem(
                    403,
                    f"market conditions have invalidated this order: limit price "
                    f"{order.price_text} is 15% or more away from the mid price "
                    f"{self.prices.fmt_price(order.market, mid)}",
                    title="Market Conditions Prevented Execution",
                    slug="market-conditions-prevented-execution",
                )

    # -- matching and closing -----------------------------------------------------------------
    def _match(self, order: Order, now: datetime) -> None:
        """Match a just-placed order against the live book and settle its fills."""
        with self.books.trading(order.market) as book:
            self._match_in(order, book, now)

    def _match_in(self, order: Order, book: Book, now: datetime) -> None:
        levels = book.synthetic_levels("SELL" if order.side == "BUY" else "BUY")
        order.modified_at = now
        if order.type == "POST_ONLY_LIMIT" and levels and crosses(order, levels[0][0]):
            return self._close(order, "REJECTED", now)
        fills, complete = plan_fills(order, levels)
        if order.time_in_force == "FOK" and not complete:
            return self._close(order, "CANCELLED", now)
        for price, amount in fills:
            self._fill(order, price, amount, now)
            self.books.fill(book, order.side, price, amount, now)
        if complete or (not is_market(order) and order.base_amount == order.amount_filled):
            return self._close(order, "FILLED", now)
        if is_market(order) or order.time_in_force == "IOC":
            return self._close(order, "CANCELLED", now)
        keep = remaining_cost(order)  # rests OPEN: keep only what the unfilled part needs
        self.balances.release(order.profile_id, order.reserved_asset, order.reserved - keep)
        order.reserved = keep
        previous, order.status = order.status, "OPEN"
        self.books.rest(book, order)
        order.resting = True
        if previous != "OPEN":  # a triggered STOP_LIMIT was OPEN already
            self.core.changed("order.open", order, now, previous)
        return None

    # -- stop orders --------------------------------------------------------------------------
    def _arm(self, order: Order, now: datetime) -> None:
        """A new stop order waits OPEN (out of the book) for its stop price."""
        order.status, order.modified_at = "OPEN", now
        self.armed.setdefault(order.market, []).append(order)
        self.core.changed("order.open", order, now, "SUBMITTED")
        self._trigger(order.market, now)

    def _on_book_step(self, book: Book, at: datetime) -> None:
        if self.armed.get(book.market):
            self._trigger(book.market, at)

    def _trigger(self, market: str, at: datetime) -> None:
        """Trigger every armed stop order of ``market`` whose stop price the best bid has
        reached, highest stop price first; a triggered market sell lowers the bid, so this
        repeats until no stop order is hit."""
        armed = self.armed.get(market)
        while armed:
            bid = self.books.book(market).best("BUY")
            hit = [o for o in armed if bid is not None and bid <= o.stop_price]
            if not hit:
                return
            order = max(hit, key=lambda o: o.stop_price)  # stable: the earliest of equals
            armed.remove(order)
            order.is_triggered, order.modified_at = True, at
            self.core.changed("order.updated", order, at)
            if self._refused_now(order):
                self._close(order, "REJECTED", at)
            else:
                self._match(order, at)

    def _refused_now(self, order: Order) -> bool:
        """Would the identity's controls refuse this order if it were placed now? (A CLOSED
        or FROZEN control set after a stop order was armed stops it from trading.)"""
        if self.controls is None:
            return False
        try:
            self.controls.guard(order.identity_id, order.side)
        except Problem:
            return True
        return False

    def _fill(self, order: Order, price: Decimal, amount: Decimal, now: datetime) -> None:
        base, quote = split_market(order.market)
        receiver = order.recipient_profile_id or order.profile_id
        gross = EXACT.multiply(amount, price)
        commission = EXACT.multiply(gross, COMMISSION)
        if order.side == "BUY":
            self.balances.release(order.profile_id, quote, gross + commission, spend=True)
            order.reserved -= gross + commission
            self.balances.credit(receiver, base, amount)
        else:
            self.balances.release(order.profile_id, base, amount, spend=True)
            order.reserved -= amount
            self.balances.credit(receiver, quote, gross - commission)
        order.amount_filled += amount
        order.notional += gross
        record = Execution(
            self.core.next_execution_id(), order.id, order.profile_id, now, order.market,
            order.side, amount, price, commission, self.prices.fmt_price(order.market, price),
            order.identity_account_id,
        )  # fmt: skip
        self.executions.add(record)
        self.core.changed("execution.created", record, now)

    def cancel(self, order: Order) -> None:
        """Cancel an OPEN order (its reservation returns); 403 in any other state."""
        if order.status != "OPEN":
            raise Problem(403, "order is not in cancellable state")
        self._close(order, "CANCELLED", self.core.now)

    def _close(self, order: Order, status: str, now: datetime) -> None:
        """Close an order and give back whatever it still holds in trading."""
        if order.reserved:
            self.balances.release(order.profile_id, order.reserved_asset, order.reserved)
            order.reserved = ZERO
        previous = order.status
        if order.resting:  # its unfilled part leaves the book
            self.books.unrest(order)
            order.resting = False
        elif order.is_stop and not order.is_triggered:  # armed, never triggered
            armed = self.armed[order.market]
            armed[:] = [o for o in armed if o is not order]
        order.status, order.modified_at, order.closed_at = status, now, now
        self.core.changed(f"order.{status.lower()}", order, now, previous)
