"""Paxos wire formats: decimal strings, RFC 3339 timestamps, and strict parsing of request values.

Every parse error raises a 400 :class:`~paxos_nb.emulator.problems.Problem` that names the
field and what a valid value looks like, in the wording Paxos uses where the brief records it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Context, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from .problems import Problem, bad_request

# Wide enough that no product of two amounts is ever rounded: arithmetic stays exact.
EXACT = Context(prec=60)
NIL_UUID = "00000000-0000-0000-0000-000000000000"
_DECIMAL_RE = re.compile(r"\A[0-9]*\.?[0-9]*\Z")
_FRACTION = re.compile(r"(\.[0-9]+)")


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return format(o, "f")  # plain notation, never 1E+2
    if isinstance(o, datetime):
        if o.tzinfo is None:
            o = o.replace(tzinfo=timezone.utc)
        return o.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, UUID):
        return str(o)
    if isinstance(o, set | frozenset):
        return sorted(o)
    raise TypeError(f"cannot serialize {type(o).__name__} to JSON")


_encode = json.JSONEncoder(separators=(",", ":"), default=_default).encode


class Encoded:
    """A JSON document already encoded (e.g. a page of cached records): sent as it is."""

    __slots__ = ("json",)

    def __init__(self, data: bytes) -> None:
        self.json = data


def dumps(obj: Any) -> bytes:
    """Compact JSON; Decimal as a plain decimal string, datetime as RFC 3339 UTC with Z."""
    if isinstance(obj, Encoded):
        return obj.json
    return _encode(obj).encode()


class Wired:
    """A record whose encoded JSON (``to_json`` through :func:`dumps`) is cached.

    Assigning any attribute drops the cache, so a record changed in place is never served
    stale; a page of a list then costs one join of cached bytes instead of re-rendering every
    record (the serialization of 100 transfers was most of a list request). Records whose
    JSON depends on other records (an orchestration's legs) must not use it.
    """

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    _wire: bytes | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        attrs = self.__dict__
        attrs[name] = value
        attrs["_wire"] = None

    def wire(self) -> bytes:
        """The record's JSON, encoded."""
        data = self._wire
        if data is None:
            data = self.__dict__["_wire"] = dumps(self.to_json())
        return data


def fmt_dec(value: Decimal) -> str:
    """Plain decimal string, no exponent, no trailing zeros: ``"0.25"``, ``"1510"``, ``"0"``."""
    if value == 0:
        return "0"
    text = format(value.normalize(EXACT), "f")
    return text


def fmt_fixed(value: Decimal, places: int) -> str:
    """Decimal string with exactly ``places`` decimals (rounded down), e.g. ``"0.00000000"``."""
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN), "f")


def quantize(value: Decimal, places: int, rounding: str = ROUND_DOWN) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=EXACT)


def ceil_to(value: Decimal, places: int) -> Decimal:
    return quantize(value, places, ROUND_CEILING)


def floor_to(value: Decimal, places: int) -> Decimal:
    return quantize(value, places, ROUND_FLOOR)


def places_of(value: Decimal) -> int:
    """Number of decimals a value was written with (``Decimal("1.50")`` has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def fmt_ts(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; microseconds when the instant has them, like Paxos."""
    # isoformat, not strftime: glibc's %Y does not pad years below 1000 to four digits.
    naive = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds" if naive.microsecond else "seconds") + "Z"


def parse_ts(text: str, field: str) -> datetime:
    """Parse an RFC 3339 filter value such as ``2006-01-02T15:04:05Z`` (offsets allowed)."""
    try:
        iso = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
        # Go clients send nanoseconds; Python 3.10 parses exactly 3 or 6 fraction digits.
        iso = _FRACTION.sub(lambda m: m.group(1)[:7].ljust(7, "0"), iso)
        moment = datetime.fromisoformat(iso)
        utc = moment.astimezone(timezone.utc) if moment.tzinfo else None
    except (ValueError, AttributeError, OverflowError):  # Overflow: 0001-01-01T00:00:00+01:00
        utc = None
    if utc is None:
        raise bad_request(
            f"{field} invalid: '{text}' is not an RFC 3339 timestamp like 2006-01-02T15:04:05Z"
        )
    return utc


def parse_amount(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A positive decimal string (``"10"``, ``"0.25"``, ``".25"``); never a float or exponent."""
    text = value if isinstance(value, str) else None
    amount = None
    if text is not None and text.strip() and _DECIMAL_RE.match(text.strip()) and text != ".":
        try:
            amount = Decimal(text.strip())
        except InvalidOperation:
            amount = None
    if amount is None or amount < 0 or (amount == 0 and not allow_zero):
        shown = value if isinstance(value, str) else repr(value)
        raise bad_request(f"{field} invalid: invalid amount '{shown}': must be positive decimal")
    return amount


def check_precision(amount: Decimal, asset: str, places: int) -> None:
    """400 ``exceed-precision`` when an amount has more decimals than the asset allows."""
    if places_of(amount) > places:
        raise Problem(
            400,
            f"max precision allowed for asset {asset} is {places}",
            title="Exceeds Maximum Precision Allowed",
            slug="exceed-precision",
        )


def body_of(call: Any) -> dict[str, Any]:
    """The JSON object body of a write, or 400 naming what is wrong."""
    if not isinstance(call.body, dict):
        raise bad_request("request body must be a JSON object")
    return call.body


def require(body: dict[str, Any], *fields: str) -> None:
    for name in fields:
        value = body.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is required")


def opt_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


def metadata_of(body: dict[str, Any], name: str = "metadata") -> dict[str, str]:
    """Client metadata: at most 6 string pairs, keys and values at most 100 characters."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise bad_request(f"{name} must be an object of string keys to string values")
    if len(value) > 6:
        raise bad_request(f"{name} may hold at most 6 key/value pairs, got {len(value)}")
    for key, item in value.items():
        if len(key) > 100 or len(item) > 100:
            raise bad_request(f"{name} keys and values must be at most 100 characters")
    return dict(value)


def query_list(query: Any, name: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    """A repeated query parameter (``type=A&type=B``): at most 100 values, each in ``allowed``."""
    values = [v for v in query.getlist(name) if v != ""]
    if len(values) > 100:
        raise bad_request(f"{name} accepts at most 100 values, got {len(values)}")
    if allowed is not None:
        for value in values:
            if value not in allowed:
                raise bad_request(f"{name} invalid: '{value}' is not one of {', '.join(allowed)}")
    return values


def query_choice(query: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise bad_request(f"{name} invalid: '{value}' is not one of {', '.join(allowed)}")
    return value


def query_bool(query: Any, name: str) -> bool:
    value = query.get(name)
    if value in (None, ""):
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad_request(f"{name} invalid: '{value}' is not true or false")


_COMPARE = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
}


def compare_filters(query: Any, prefix: str) -> list[tuple[str, datetime]]:
    """``created_at.lt`` … ``created_at.gt`` filters (pagination style A) as (op, instant) pairs."""
    out = []
    for op in _COMPARE:
        name = f"{prefix}.{op}"
        value = query.get(name)
        if value not in (None, ""):
            out.append((op, parse_ts(value, name)))
    return out


def range_filters(query: Any, prefix: str) -> list[tuple[str, datetime]]:
    """``order_time.begin`` / ``.end`` ranges (pagination style B), inclusive at both ends."""
    out = []
    for part, op in (("begin", "gte"), ("end", "lte")):
        name = f"{prefix}.{part}"
        value = query.get(name)
        if value not in (None, ""):
            out.append((op, parse_ts(value, name)))
    return out


def time_ok(moment: datetime, filters: list[tuple[str, datetime]]) -> bool:
    return all(_COMPARE[op](moment, bound) for op, bound in filters)
