"""Orders and executions (API-BRIEF.md section 10.3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .. import cursors
from ..backends.orders import OrderRequest
from ..fmt import (
    body_of,
    check_precision,
    metadata_of,
    opt_str,
    parse_amount,
    query_choice,
    query_list,
    range_filters,
    require,
    time_ok,
)
from ..ledger import Ledger
from ..pricing import MARKETS, split_market
from ..problems import bad_request
from ..trading import BASE_PLACES, STOP_TYPES, Execution, Order
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party

SIDES = ("BUY", "SELL")
TYPES = ("LIMIT", "MARKET", "POST_ONLY_LIMIT", "STOP_MARKET", "STOP_LIMIT")
STATUSES = ("PENDING_SUBMISSION", "SUBMITTED", "OPEN", "FILLED", "CANCELLED", "REJECTED")


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = body.get(name)
    if value not in allowed:
        raise bad_request(f"{name} invalid: '{value}' is not one of {', '.join(allowed)}")
    return value


# CreateOrder's "Time in Force validity for Order Types": (default, also allowed).
TIME_IN_FORCE = {
    "MARKET": ("IOC", ("IOC", "FOK")),
    "LIMIT": ("GTC", ("GTC", "IOC", "FOK", "GTT")),
    "POST_ONLY_LIMIT": ("GTC", ("GTC", "IOC", "FOK", "GTT")),
    "STOP_MARKET": ("GTC", ("GTC", "GTT")),
    "STOP_LIMIT": ("GTC", ("GTC", "GTT")),
}


def _time_in_force(body: dict[str, Any], kind: str, now: datetime) -> tuple[str, datetime | None]:
    default, allowed = TIME_IN_FORCE[kind]
    tif = body.get("time_in_force") or default
    if tif not in allowed:
        raise bad_request(
            f"time_in_force {tif} is not allowed for {kind} orders ({', '.join(allowed)})"
        )
    raw = body.get("expiration_date")
    if tif != "GTT":
        if raw not in (None, ""):
            raise bad_request("expiration_date is only allowed with time_in_force GTT")
        return tif, None
    if not (isinstance(raw, str) and raw.isdigit() and len(raw) == 13):
        raise bad_request(
            "expiration_date must be a 13-digit Unix time in milliseconds, as a string"
        )
    expires = datetime.fromtimestamp(int(raw) / 1000, tz=timezone.utc)
    if expires < now + timedelta(seconds=10):
        raise bad_request("expiration_date must be at least 10 seconds in the future")
    return tif, expires


def _price(led: Ledger, body: dict[str, Any], name: str, market: str) -> tuple[Decimal, str]:
    """A required price field, checked against the market's tick: (value, as Paxos prints it)."""
    require(body, name)
    price = parse_amount(body[name], name)
    tick = led.prices.tick(market)
    if price % tick:
        raise bad_request(f"{name} {body[name]} is not a multiple of the tick rate {tick}")
    return price, led.prices.fmt_price(market, price)


def _request(led: Ledger, body: dict[str, Any], profile_id: str) -> OrderRequest:
    """The CreateOrder body, parsed and checked (a 400 names the field)."""
    side, market = _choice(body, "side", SIDES), _choice(body, "market", tuple(MARKETS))
    kind = _choice(body, "type", TYPES)
    if kind in STOP_TYPES and side != "SELL":
        # CreateOrder: "Currently only sell stop loss orders are supported."
        raise bad_request(f"{kind} orders are sell-side only (stop losses): send side SELL")
    base, quote = split_market(market)
    tif, expires = _time_in_force(body, kind, led.now)
    amounts: dict[str, Any] = {}
    if kind == "MARKET" and side == "BUY":
        if body.get("base_amount") not in (None, "", "0"):
            raise bad_request("a MARKET BUY takes quote_amount, not base_amount")
        require(body, "quote_amount")
        amounts["quote_amount"] = parse_amount(body["quote_amount"], "quote_amount")
        check_precision(amounts["quote_amount"], quote, 2)
    else:
        require(body, "base_amount")
        amounts["base_amount"] = parse_amount(body["base_amount"], "base_amount")
        check_precision(amounts["base_amount"], base, BASE_PLACES)
    if kind not in ("MARKET", "STOP_MARKET"):
        amounts["price"], amounts["price_text"] = _price(led, body, "price", market)
    if kind in STOP_TYPES:
        amounts["stop_price"], amounts["stop_price_text"] = _price(led, body, "stop_price", market)
    elif body.get("stop_price") not in (None, ""):
        raise bad_request(f"stop_price is only for STOP_MARKET and STOP_LIMIT orders, not {kind}")
    identity, account = opt_str(body, "identity_id"), opt_str(body, "identity_account_id")
    if bool(identity) != bool(account):
        raise bad_request("identity_id and identity_account_id must be sent together")
    return OrderRequest(
        profile_id, side, market, kind, tif, ref_id=opt_str(body, "ref_id"),
        metadata=metadata_of(body), expiration_date=expires, identity_id=identity,
        identity_account_id=account,
        recipient_profile_id=body.get("recipient_profile_id") or None, **amounts,
    )  # fmt: skip


@handles("CreateOrder")
def create_order(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    await_fill = body.get("await_fill_millis")
    if await_fill is not None and not (isinstance(await_fill, int) and 0 <= await_fill <= 10000):
        raise bad_request("await_fill_millis must be an integer between 0 and 10000")
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        order, submitted = led.orders.place(_request(led, body, profile.id))
        return order.to_json() if await_fill else submitted.to_json()


def _order_of(led: Ledger, call: Call) -> Order:
    profile = led.profiles.find(call.path_params["profile_id"])
    return led.orders.find(profile.id, call.path_params["id"])


@handles("GetOrder")
def get_order(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return _order_of(led, call).to_json()


@handles("CancelOrder")
def cancel_order(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        led.orders.cancel(_order_of(led, call))
        return {}


def _list_orders(call: Call, profile_id: str | None) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    market = query_choice(q, "market", tuple(MARKETS))
    status = query_choice(q, "status", STATUSES)
    window = range_filters(q, "order_time")
    refs = set(query_list(q, "ref_ids"))
    account = q.get("account_id")

    def keep(o: Order) -> bool:
        return (
            (profile_id is None or o.profile_id == profile_id)
            and (not account or o.identity_account_id == account)
            and (market is None or o.market == market)
            and (status is None or o.status == status)
            and (not refs or o.ref_id in refs)
            and time_ok(o.created_at, window)
        )

    with ledger_of(call).at(call.now) as led:
        if profile_id:
            profile_id = led.profiles.find(profile_id).id
        found, cursor = cursors.page(
            led.orders.created, kind="orders", order="DESC", limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor)


@handles("ListOrders")
def list_orders(call: Call) -> Body:
    return _list_orders(call, call.query.get("profile_id") or None)


@handles("ListProfileOrders")
def list_profile_orders(call: Call) -> Body:
    return _list_orders(call, call.path_params["profile_id"])


def _list_executions(call: Call, profile_id: str | None, default: int, maximum: int) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=default, maximum=maximum)
    window = range_filters(q, "range")
    order_id = q.get("order_id")
    since = q.get("since_execution_id")
    if since and not since.isdigit():
        raise bad_request(f"since_execution_id must be a numeric execution id, got '{since}'")
    account = q.get("account_id")

    with ledger_of(call).at(call.now) as led:
        if profile_id:
            profile_id = led.profiles.find(profile_id).id

        def keep(e: Execution) -> bool:
            return (
                (profile_id is None or e.profile_id == profile_id)
                and (not order_id or e.order_id == order_id)
                # ListExecutions: since_execution_id "Excludes executions after the given ID".
                and (not since or int(e.execution_id) <= int(since))
                and (not account or e.account_id == account)
                and time_ok(e.executed_at, window)
            )

        found, cursor = cursors.page(
            led.orders.executions.created, kind="executions", order="DESC", limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor)


@handles("ListExecutions")
def list_executions(call: Call) -> Body:
    return _list_executions(call, call.query.get("profile_id") or None, 100, 1000)


@handles("ListProfileExecutions")
def list_profile_executions(call: Call) -> Body:
    return _list_executions(call, call.path_params["profile_id"], 20, 500)
