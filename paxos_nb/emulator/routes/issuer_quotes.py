"""Issuer quotes, PAXG mint and redeem (spec tag Issuer Quotes), and the newer
``GET /issuer-quote/settlement-availability`` (docs.paxos.com only).

Parsing and answers only; quotes, executions and availability are in
``backends/issuer_quotes.py``.
"""

from __future__ import annotations

from .. import cursors
from ..backends.issuer_quotes import MARKET, PAXG_PLACES, IssuerQuoteExecution
from ..fmt import (
    body_of,
    check_precision,
    parse_amount,
    query_list,
    range_filters,
    require,
    time_ok,
)
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

STATUSES = ("PENDING", "COMPLETE", "FAILED")


def _market(value: object) -> None:
    if value != MARKET:
        raise bad_request(f"market invalid: '{value}': issuer quotes are for {MARKET} only")


@handles("CreateIssuerQuote")
def create_issuer_quote(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id", "market", "side", "base_amount")
    _market(body["market"])
    side = body["side"]
    if side not in ("BUY", "SELL"):
        raise bad_request(f"side invalid: '{side}' is not one of BUY, SELL")
    quantity = parse_amount(body["base_amount"], "base_amount")
    check_precision(quantity, "PAXG", PAXG_PLACES)
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(str(body["profile_id"]))
        return led.issuer_quotes.quote(profile, side, quantity).to_json()


@handles("CreateIssuerQuoteExecution")
def execute_issuer_quote(call: Call) -> Body:
    body = body_of(call)
    require(body, "profile_id")
    with ledger_of(call).at(call.now) as led:
        profile = led.profiles.find(str(body["profile_id"]))
        record = led.issuer_quotes.execute(call.path_params["quote_id"], profile.id)
        return {"id": record.id}


@handles("ListIssuerQuoteExecutions")
def list_issuer_quote_executions(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    statuses = set(query_list(q, "status", STATUSES))
    created = range_filters(q, "created_range")
    profile_id = q.get("profile_id")

    def keep(r: IssuerQuoteExecution) -> bool:
        return (
            (not profile_id or r.profile_id == profile_id)
            and (not statuses or r.status in statuses)
            and time_ok(r.created_at, created)
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.issuer_quotes.executions.created, kind="issuer_quote_executions", order=order,
            limit=limit, token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "issuer_quote_executions")


@handles("GetIssuerQuoteSettlementAvailability")
def settlement_availability(call: Call) -> Body:
    market = call.query.get("market")
    if market not in (None, ""):
        _market(market)
    with ledger_of(call).at(call.now) as led:
        return led.issuer_quotes.availability()
