"""Crypto destination addresses: the customer's address book for withdrawals (upsert, list).

docs.paxos.com (Crypto Withdrawals, Orchestrations): ``PUT`` names an address by ``id``, or by
``crypto_network`` and ``address`` (never both); a new one gets a generated ``nickname`` if
none is given and ``bookmarked`` false. Its ``status`` (PENDING, APPROVED, REJECTED) is not
documented further: the emulator approves at once, unless ``emu.outcomes`` forces PENDING
(awaiting an approval in the Dashboard, with a ``policy_execution_id``) or REJECTED. There
is no delete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..fmt import Wired, fmt_ts
from ..networks import EVM_NETWORKS
from ..problems import bad_request, not_found
from .core import Core, Family

__all__ = ["Destination", "Destinations"]


@dataclass
class Destination(Wired):
    id: str
    crypto_network: str
    address: str
    nickname: str
    created_at: datetime
    status: str = "APPROVED"
    bookmarked: bool = False
    policy_execution_id: str | None = None
    travelrule_metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "crypto_network": self.crypto_network,
            "address": self.address,
            "nickname": self.nickname,
            "status": self.status,
            "created_at": fmt_ts(self.created_at),
            "bookmarked": self.bookmarked,
        }
        if self.policy_execution_id:
            out["policy_execution_id"] = self.policy_execution_id
        if self.travelrule_metadata:
            out["travelrule_metadata"] = self.travelrule_metadata
        return out


class Destinations(Family[Destination]):
    """Every crypto destination address of the customer, by id and by (network, address)."""

    def __init__(self, core: Core) -> None:
        super().__init__("crypto_destination_address")
        self.core = core
        self.by_key: dict[tuple[str, str], Destination] = {}

    def reset(self) -> None:
        self.clear()
        self.by_key.clear()

    def find(self, ident: str) -> Destination:
        found = self.get(ident)
        if found is None:
            raise not_found(f"crypto destination address not found: {ident}")
        return found

    def put(
        self,
        ident: str | None,
        network: str | None,
        address: str | None,
        *,
        nickname: str | None,
        bookmarked: bool | None,
        travelrule: dict[str, Any] | None,
    ) -> Destination:
        """Create or update one address; 400 unless named by exactly one of ``id`` or
        (``crypto_network``, ``address``), 404 for an unknown ``id``."""
        if ident and (network or address):
            raise bad_request("name the address by id, or by crypto_network and address, not both")
        if not ident and not (network and address):
            raise bad_request("id, or both crypto_network and address, are required")
        now = self.core.now
        if ident:
            record = self.find(ident)
        else:
            key = (str(network), str(address))
            known = self.by_key.get(key)
            if known is None:
                if key[0] in EVM_NETWORKS and not key[1].startswith("0x"):
                    raise bad_request(f"address is not a valid {key[0]} address")
                return self._create(*key, nickname, bookmarked, travelrule, now)
            record = known
        if nickname:
            record.nickname = nickname
        if bookmarked is not None:
            record.bookmarked = bookmarked
        if travelrule is not None:
            record.travelrule_metadata = travelrule
        self.core.changed("crypto_destination_address.updated", record, now)
        return record

    def _create(self, network: str, address: str, nickname: str | None, bookmarked: bool | None,
                travelrule: dict[str, Any] | None, now: datetime) -> Destination:  # fmt: skip
        outcome = self.core.outcomes.take("PutCryptoDestinationAddress")
        ident = self.core.new_id()
        record = Destination(
            ident, network, address, nickname or f"{network} {address[:6]}...{address[-4:]}",
            now, status=outcome, bookmarked=bool(bookmarked),
            travelrule_metadata=dict(travelrule or {}),
        )  # fmt: skip
        if outcome == "PENDING":  # an approval policy runs in the Dashboard
            rng = self.core.random("policy", ident)
            record.policy_execution_id = f"{rng.getrandbits(128):032x}"
        self.add(record)
        self.by_key[(network, address)] = record
        self.core.changed("crypto_destination_address.created", record, now)
        return record
