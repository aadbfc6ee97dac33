"""Crypto networks: which carry which asset, and testnet-shaped addresses and tx hashes.

Shared by the backends (deposit addresses, withdrawals, sandbox deposits) and the seeded
history; nothing here holds state.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from decimal import Decimal

from .fmt import EXACT, quantize
from .pricing import Prices

__all__ = [
    "CRYPTO_NETWORKS",
    "EVM_NETWORKS",
    "NETWORKS_BY_ASSET",
    "compatible_networks",
    "make_address",
    "make_tx_hash",
    "usd_value",
]

CRYPTO_NETWORKS = (
    "BITCOIN", "ETHEREUM", "BITCOIN_CASH", "LITECOIN", "SOLANA", "POLYGON_POS", "BASE",
    "ARBITRUM_ONE", "INK", "XLAYER",
)  # fmt: skip
EVM_NETWORKS = ("ETHEREUM", "POLYGON_POS", "BASE", "ARBITRUM_ONE", "INK", "XLAYER")
# Which networks carry which asset (API-BRIEF.md section 11; STELLAR is not in the yaml enum).
NETWORKS_BY_ASSET = {
    "BTC": ("BITCOIN",), "ETH": ("ETHEREUM", "ARBITRUM_ONE", "BASE"), "BCH": ("BITCOIN_CASH",),
    "LTC": ("LITECOIN",), "SOL": ("SOLANA",), "LINK": ("ETHEREUM",), "AAVE": ("ETHEREUM",),
    "UNI": ("ETHEREUM",), "MATIC": ("ETHEREUM", "POLYGON_POS"), "PAXG": ("ETHEREUM",),
    "USDP": ("ETHEREUM", "SOLANA"), "PYUSD": ("ARBITRUM_ONE", "ETHEREUM", "SOLANA"),
    "USDG": ("ETHEREUM", "INK", "SOLANA", "XLAYER"),
    "USDC": ("BASE", "ETHEREUM", "POLYGON_POS", "SOLANA"),
}  # fmt: skip
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def make_address(network: str, rng: random.Random) -> str:
    """A testnet-shaped address for ``network`` (not a real key: nothing is ever sent)."""
    if network in EVM_NETWORKS:
        return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if network == "BITCOIN":
        return "tb1q" + "".join(rng.choice(_B32) for _ in range(38))
    if network == "LITECOIN":
        return "tltc1q" + "".join(rng.choice(_B32) for _ in range(38))
    if network == "BITCOIN_CASH":
        return "bchtest:q" + "".join(rng.choice(_B32) for _ in range(41))
    return "".join(rng.choice(_B58) for _ in range(44))  # SOLANA and anything else


def make_tx_hash(network: str, rng: random.Random) -> str:
    if network == "SOLANA":
        return "".join(rng.choice(_B58) for _ in range(88))
    digits = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    return "0x" + digits if network in EVM_NETWORKS else digits


def compatible_networks(network: str) -> list[str]:
    return list(EVM_NETWORKS) if network in EVM_NETWORKS else [network]


def usd_value(prices: Prices, asset: str, amount: Decimal, moment: datetime) -> Decimal:
    """USD notional of ``amount`` of ``asset`` at ``moment`` (from the price walk)."""
    rate = math.exp(prices.log_usd(asset, moment.timestamp()))
    return quantize(EXACT.multiply(amount, Decimal(repr(rate))), 2)
