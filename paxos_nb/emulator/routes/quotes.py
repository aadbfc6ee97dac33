"""Held-rate quotes (HRQ) and quote executions (API-BRIEF.md section 10.4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import cursors
from ..backends.quotes import MAX_QUOTE_AMOUNT, Quote, QuoteExecution, execute, quote_for
from ..fmt import (
    EXACT,
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
from . import Body, Call, handles
from ._shared import ledger_of, listing


@handles("ListQuotes")
def list_quotes(call: Call) -> Body:
    markets = list(dict.fromkeys(query_list(call.query, "markets", tuple(MARKETS))))
    if not markets:
        raise bad_request(
            "markets is required: pass one or more, e.g. markets=BTCUSD&markets=ETHUSD"
        )
    with ledger_of(call).at(call.now) as led:
        return {
            "items": [
                quote_for(led, m, side, led.now).to_json()
                for m in markets
                for side in ("BUY", "SELL")
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
def create_quote_execution(call: Call) -> Body:
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
        record = execute(
            led, quote, profile.id, base, amount, recipient,
            ref_id=ref_id, metadata=metadata_of(body),
            identity_id=opt_str(body, "identity_id"), account_id=opt_str(body, "account_id"),
        )  # fmt: skip
        return record.to_json()


@handles("GetQuoteExecution")
def get_quote_execution(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        profile = led.profile(call.path_params["profile_id"])
        record = led.quote_executions.get(call.path_params["id"])
        if record is None or record.profile_id != profile.id:
            raise not_found(f"quote execution not found: {call.path_params['id']}")
        return record.to_json()


@handles("ListQuoteExecutions")
def list_quote_executions(call: Call) -> Body:
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
