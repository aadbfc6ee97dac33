"""The vocabulary of Paxos records: which fields are amounts, timestamps and enums.

Typing a column goes by its name (the last dotted part): Paxos sends amounts as decimal
strings, timestamps as RFC 3339 text and enums as strings, so the values alone cannot tell
an amount from an id. Used by :mod:`paxos_nb.frame_columns`.
"""

from __future__ import annotations

__all__ = [
    "AMOUNT_FIELDS",
    "ENUM_FIELDS",
    "KEEP_AS_DICT",
    "NIL_UUID",
    "TIMESTAMP_FIELDS",
    "kind_of",
]

NIL_UUID = "00000000-0000-0000-0000-000000000000"

# API brief §13, plus the market statistics of the ticker (high/low/open/volume) and the
# other decimal strings of orders and issuer quotes (stop_price, quantity).
AMOUNT_FIELDS = frozenset(
    {
        "amount",
        "total",
        "fee",
        "price",
        "available",
        "trading",
        "base_amount",
        "quote_amount",
        "amount_filled",
        "volume_weighted_average_price",
        "commission",
        "rebate",
        "gross_trade_amount",
        "current_price",
        "yesterday_price",
        "average_price",
        "notional_value",
        "limit",
        "remaining",
        "high",
        "low",
        "open",
        "volume",
        "stop_price",
        "quantity",
        # issue 13 part 2: issuer quote executions, statements, payments, rewards
        "principal",
        "token_fee",
        "token_price",
        "token_principal",
        "amount_paid",
        "total_amount_owed",
        "payment_amount",
        "balance",
        "close",  # historical candles (open, high, low and volume are above)
    }
)
# Plus every name ending in "_at".
TIMESTAMP_FIELDS = frozenset(
    {"timestamp", "start_time", "end_time", "expiration_date", "begin", "end"}
    # issue 13 part 2: settlement windows, statement periods
    | {"settlement_window_start", "settlement_window_end", "period_start", "period_end"}
)
# Plus every name ending in "_status", and "<...>status.name" (secondary_status.name).
ENUM_FIELDS = frozenset(
    {
        "status",
        "type",
        "side",
        "direction",
        "market",
        "asset",
        "balance_asset",
        "base_asset",
        "quote_asset",
        "source_asset",
        "target_asset",
        "commission_asset",
        "rebate_asset",
        "limit_asset",
        "crypto_network",
        "fiat_network",
        "time_in_force",
        "conversion_target_asset",
        "routing_number_type",
        "buy_reason",
        "sell_reason",
        "recurrence",
        "custodian_type",
        "order_type",
        # issue 13 part 2: issuer quotes, statements, payments, rewards
        "asset_type",
        "product",
        "payment_type",
        "payment_asset",
        "ledger",
        "onchain_status",
        "claim_type",
        "schedule_type",
        "jurisdiction",
    }
)
# Free string->string maps: one column of dicts, not metadata.<key> columns.
KEEP_AS_DICT = frozenset({"metadata", "recipient_metadata"})


def kind_of(name: str) -> str:
    """``"amount"``, ``"timestamp"``, ``"enum"`` or ``""`` for a (dotted) column name."""
    last = name.rpartition(".")[2]
    if last in AMOUNT_FIELDS:
        return "amount"
    if last.endswith("_at") or last in TIMESTAMP_FIELDS:
        return "timestamp"
    if last in ENUM_FIELDS or last.endswith("_status") or name.endswith("status.name"):
        return "enum"
    return ""
