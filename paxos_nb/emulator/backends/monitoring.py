"""Monitoring addresses (GDN): on-chain addresses Paxos watches for stablecoin rewards.

docs.paxos.com (Monitoring Addresses; spec operations CreateMonitoringAddress,
GetMonitoringAddress, UpdateMonitoringAddress, ListMonitoringAddress): an address on
ETHEREUM, SOLANA, INK or XLAYER, valid for its network and claimed by one customer only;
a PUT renames it; there is no DELETE.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..fmt import Wired, fmt_ts
from ..problems import bad_request, not_found
from .core import Core, Family

__all__ = ["MONITORED_NETWORKS", "MonitoringAddress", "MonitoringAddresses", "valid_address"]

MONITORED_NETWORKS = ("ETHEREUM", "SOLANA", "INK", "XLAYER")
_EVM = re.compile(r"\A0x[0-9a-fA-F]{40}\Z")
_SOLANA = re.compile(r"\A[1-9A-HJ-NP-Za-km-z]{32,44}\Z")  # base58 wallet address


def valid_address(network: str, address: str) -> bool:
    return bool((_SOLANA if network == "SOLANA" else _EVM).match(address))


def _key(network: str, address: str) -> tuple[str, str]:
    """EVM addresses are case-insensitive (checksum casing); base58 is not."""
    return (network, address if network == "SOLANA" else address.lower())


@dataclass
class MonitoringAddress(Wired):
    id: str
    address: str
    crypto_network: str
    name: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "address": self.address,
            "crypto_network": self.crypto_network,
        }
        if self.name:
            out["name"] = self.name
        out["created_at"] = fmt_ts(self.created_at)
        return out


class MonitoringAddresses(Family[MonitoringAddress]):
    """The customer's monitoring addresses, one per (network, address)."""

    def __init__(self, core: Core) -> None:
        super().__init__("monitoring_address")
        self.core = core
        self.claimed: dict[tuple[str, str], MonitoringAddress] = {}

    def reset(self) -> None:
        self.clear()
        self.claimed.clear()

    def find(self, ident: str) -> MonitoringAddress:
        try:
            uuid.UUID(ident)
        except ValueError:
            raise bad_request("invalid address id") from None
        record = self.get(ident)
        if record is None:
            raise not_found("address not found")
        return record

    def create(self, network: str, address: str, name: str) -> MonitoringAddress:
        """Validate and claim; the messages are the documented ones."""
        if not address:
            raise bad_request("address must be set")
        if not network:
            raise bad_request("network must be set")
        if network not in MONITORED_NETWORKS:
            raise bad_request("invalid crypto_network")
        if not valid_address(network, address):
            raise bad_request("invalid address")
        key = _key(network, address)
        if key in self.claimed:
            raise bad_request("address cannot be claimed")
        now = self.core.now
        record = MonitoringAddress(self.core.new_id(), address, network, name, now)
        self.add(record)
        self.claimed[key] = record
        self.core.changed("monitoring_address.created", record, now)
        return record

    def rename(self, record: MonitoringAddress, name: str) -> MonitoringAddress:
        if not name:
            raise bad_request("name must be set")
        record.name = name
        self.core.changed("monitoring_address.updated", record, self.core.now)
        return record
