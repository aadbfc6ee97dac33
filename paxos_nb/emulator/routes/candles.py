"""``GET /markets/{market}/historical-candles`` (docs.paxos.com; newer than the spec copy).

Parsing and paging only; the candles are computed in ``candles.py`` from the price walk.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .. import cursors
from ..candles import CANDLE_MARKETS, candle_starts, make_candle, pick_increment
from ..fmt import parse_ts, query_choice
from ..pricing import ANCHOR_USD, INCREMENTS, split_market
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of

DEFAULT_SPAN = timedelta(days=182)  # range.begin defaults to six months before range.end
# No candles before the Unix epoch [choice]: earlier instants have no price history, and years
# below 1000 cannot be written as RFC 3339 date-times (found by the fuzz campaign).
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
KIND = "candles"


@handles("ListHistoricalCandles")
def list_historical_candles(call: Call) -> Body:
    market = call.path_params["market"]
    if market not in CANDLE_MARKETS:
        raise bad_request(f"market invalid: '{market}' is not one of {', '.join(CANDLE_MARKETS)}")
    if split_market(market)[0] not in ANCHOR_USD:
        raise bad_request(f"market {market} is not available yet")
    q = call.query
    increment = query_choice(q, "increment", tuple(INCREMENTS))
    points = q.get("max_data_points")
    if (increment is None) == (points in (None, "")):
        raise bad_request("pass exactly one of increment or max_data_points")
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    now = call.now
    end = parse_ts(q["range.end"], "range.end") if q.get("range.end") else now
    begin = parse_ts(q["range.begin"], "range.begin") if q.get("range.begin") else None
    if begin is None:
        try:
            begin = end - DEFAULT_SPAN
        except OverflowError:  # an end in year 1
            begin = end
    if end < begin:
        raise bad_request("range.end must not be before range.begin")
    begin = max(begin, EARLIEST)
    end = max(end, begin)  # an end before the epoch: at most the epoch's candle
    if increment is None:
        if not (points or "").isdigit() or int(points or "0") < 1 or len(points or "") > 9:
            raise bad_request(f"max_data_points must be a positive integer, got '{points}'")
        increment = pick_increment(begin, end, now, int(points or "1"))
    step = INCREMENTS[increment]
    starts = candle_starts(begin, end, now, step)
    token = q.get("page_cursor")
    top = len(starts)
    if token:  # resume below the last candle served
        after = cursors.decode(token, KIND, increment)[0] // 1_000_000
        top = max(0, min(top, (after - starts.start) // step)) if len(starts) else 0
    chosen = [starts[i] for i in range(top - 1, max(top - 1 - limit, -1), -1)]
    prices = ledger_of(call).prices
    out: dict[str, object] = {
        "market": market,
        "increment": increment,
        "items": [make_candle(prices, market, s, step, now).to_json() for s in chosen],
    }
    if chosen and top - len(chosen) > 0:
        out["next_page_cursor"] = cursors.encode(KIND, increment, (chosen[-1] * 1_000_000, ""))
    return out
