"""Held-rate quotes (HRQ) and quote executions (API-BRIEF.md section 10.4)."""

from __future__ import annotations

from .. import cursors
from ..backends.quotes import QuoteExecution
from ..fmt import (
    body_of,
    metadata_of,
    opt_str,
    query_choice,
    query_list,
    range_filters,
    require,
    time_ok,
)
from ..pricing import MARKETS
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing, refuse_first_party


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
                led.quotes.current(m, side).to_json() for m in markets for side in ("BUY", "SELL")
            ]
        }


@handles("CreateQuoteExecution")
def create_quote_execution(call: Call) -> Body:
    body = body_of(call)
    refuse_first_party(call, body.get("identity_id"))
    require(body, "quote_id")
    ref_id = opt_str(body, "ref_id")
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        record = led.quotes.execute(
            profile, body["quote_id"], body.get("base_amount"), body.get("quote_amount"),
            recipient_id=body.get("recipient_profile_id") or None, ref_id=ref_id,
            metadata=metadata_of(body), identity_id=opt_str(body, "identity_id"),
            account_id=opt_str(body, "account_id"),
        )  # fmt: skip
        return record.to_json()


@handles("GetQuoteExecution")
def get_quote_execution(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(call.path_params["profile_id"])
        return led.quotes.find_execution(profile.id, call.path_params["id"]).to_json()


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
        profile = led.profiles.find(call.path_params["profile_id"])

        def keep(r: QuoteExecution) -> bool:
            return (
                r.profile_id == profile.id
                and (side is None or r.quote.side == side)
                and (market is None or r.quote.market == market)
                and (status is None or r.status == status)
                and time_ok(r.created_at, window)
            )

        total = sum(1 for r in led.quotes.executions if keep(r))
        found, cursor = cursors.page(
            led.quotes.executions.created, kind="quote_executions", order=order, limit=limit,
            token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, head={"total_count": total})
