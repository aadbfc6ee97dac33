"""Monitoring addresses (spec tag Monitoring Addresses, GDN partners).

Parsing and answers only; validation and claiming are in ``backends/monitoring.py``.
"""

from __future__ import annotations

from typing import Any

from .. import cursors
from ..backends.monitoring import MonitoringAddress
from ..fmt import Encoded, body_of, query_choice
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of, listing

NETWORK_FILTER = ("BITCOIN", "ETHEREUM", "BITCOIN_CASH", "LITECOIN", "SOLANA", "POLYGON_POS",
                  "BASE", "ARBITRUM_ONE", "INK")  # fmt: skip


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value.strip()


def _wrapped(record: MonitoringAddress) -> Body:
    return Encoded(b'{"address":' + record.wire() + b"}")


@handles("CreateMonitoringAddress")
def create_monitoring_address(call: Call) -> Body:
    body = body_of(call)
    network, address, name = (_text(body, k) for k in ("crypto_network", "address", "name"))
    with ledger_of(call).at(call.now) as led:
        return _wrapped(led.monitoring_addresses.create(network, address, name))


@handles("GetMonitoringAddress")
def get_monitoring_address(call: Call) -> Body:
    with ledger_of(call).at(call.now) as led:
        return _wrapped(led.monitoring_addresses.find(call.path_params["id"]))


@handles("UpdateMonitoringAddress")
def update_monitoring_address(call: Call) -> Body:
    name = _text(body_of(call), "name")
    with ledger_of(call).at(call.now) as led:
        addresses = led.monitoring_addresses
        return _wrapped(addresses.rename(addresses.find(call.path_params["id"]), name))


@handles("ListMonitoringAddress")
def list_monitoring_addresses(call: Call) -> Body:
    q = call.query
    limit = cursors.parse_limit(q, default=100, maximum=1000)
    order = cursors.parse_order(q, "DESC")
    network = query_choice(q, "crypto_network", NETWORK_FILTER)
    address = q.get("address")

    def keep(r: MonitoringAddress) -> bool:
        return (not network or r.crypto_network == network) and (
            not address or r.address.lower() == address.lower()
        )

    with ledger_of(call).at(call.now) as led:
        found, cursor = cursors.page(
            led.monitoring_addresses.created, kind="monitoring_addresses", order=order,
            limit=limit, token=q.get("page_cursor"), keep=keep,
        )  # fmt: skip
        return listing(found, cursor, "addresses")
