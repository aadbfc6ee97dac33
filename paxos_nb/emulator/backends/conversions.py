"""Stablecoin conversions: which pairs convert (USD to a Paxos stablecoin and back, 1:1)."""

from __future__ import annotations

from ..problems import bad_request
from ..records import PAXOS_STABLECOINS

__all__ = ["check_pair"]


def check_pair(source: str, target: str) -> None:
    """Only USD <-> a Paxos stablecoin; stablecoin to stablecoin is not allowed."""
    if not (
        (source == "USD" and target in PAXOS_STABLECOINS)
        or (target == "USD" and source in PAXOS_STABLECOINS)
    ):
        raise bad_request(
            f"cannot convert {source} to {target}: only USD to one of "
            f"{', '.join(PAXOS_STABLECOINS)} (or back) is supported"
        )
