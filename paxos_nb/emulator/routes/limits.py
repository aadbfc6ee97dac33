"""Transfer limits: ``GET /transfer/limits/utilizations`` (docs.paxos.com, Limits)."""

from __future__ import annotations

from ..fmt import query_choice
from ..problems import bad_request
from ..records import TRANSFER_TYPES
from . import Body, Call, handles
from ._shared import ledger_of


@handles("ListTransferLimits")
def list_transfer_limits(call: Call) -> Body:
    transfer_type = query_choice(call.query, "transfer_type", TRANSFER_TYPES)
    if transfer_type is None:
        raise bad_request("transfer_type is required")
    with ledger_of(call).at(call.now) as led:
        return {"items": led.limits.utilizations(transfer_type)}
