"""The seeded world: three profiles, their deposit addresses and a year of transfers.

``populate(ledger)`` replays a deterministic history that ends before ``ledger.as_of``:
first deposits that fund every profile in USD, BTC, ETH, PAXG, USDP, PYUSD and USDG, then
``history`` random events (deposits, withdrawals — a few FAILED — and internal transfers with
both legs). The balances are built only by applying these transfers, so the sum of the
seeded transfers reproduces every seeded balance exactly (``ledger.audit()`` shows it).
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .fmt import EXACT, quantize
from .records import DepositAddress, Transfer

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
SEED_ASSETS = ("USD", "BTC", "ETH", "PAXG", "USDP", "PYUSD", "USDG")
# Display precision of seeded amounts and the typical size of one seeded deposit.
_PLACES = {"USD": 2, "BTC": 8, "ETH": 8, "PAXG": 8, "USDP": 2, "PYUSD": 2, "USDG": 2}
_SCALE = {
    "USD": 25_000, "BTC": 0.4, "ETH": 6, "PAXG": 5, "USDP": 20_000, "PYUSD": 15_000, "USDG": 15_000,
}  # fmt: skip
_FEE = {
    "BTC": "0.00002", "ETH": "0.0004", "PAXG": "0.0004",
    "USDP": "1.5", "PYUSD": "1.5", "USDG": "1.5",
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


def usd_value(ledger, asset: str, amount: Decimal, moment: datetime) -> Decimal:
    """USD notional of ``amount`` of ``asset`` at ``moment`` (from the price walk)."""
    rate = math.exp(ledger.prices.log_usd(asset, moment.timestamp()))
    return quantize(EXACT.multiply(amount, Decimal(repr(rate))), 2)


class _History:
    def __init__(self, ledger, history: int) -> None:
        self.ledger = ledger
        self.rng = ledger.random("history")
        self.events = history
        self.start = ledger.as_of - timedelta(days=365)
        self.addresses: dict[tuple[str, str], str] = {}

    def profiles(self) -> list[str]:
        led = self.ledger
        base = self.start - timedelta(days=120)
        made = [
            led.add_profile("default", "DEFAULT", base),
            led.add_profile("trading", "NORMAL", base + timedelta(days=3, seconds=4021)),
            led.add_profile(
                "treasury",
                "NORMAL",
                base + timedelta(days=9, seconds=7790),
                "Long-term holdings",
            ),
        ]
        for n, profile in enumerate(made):
            for m, network in enumerate(("BITCOIN", "ETHEREUM", "SOLANA")):
                created = profile.created_at + timedelta(hours=1 + m, seconds=17 * n)
                self.address(profile.id, network, created)
        return [p.id for p in made]

    def address(self, profile_id: str, network: str, created: datetime) -> str:
        led = self.ledger
        record = DepositAddress(
            led.new_id(),
            led.customer_id,
            profile_id,
            network,
            make_address(network, self.rng),
            compatible_networks(network),
            created,
        )
        led.deposit_addresses.add(record)
        self.addresses[(profile_id, network)] = record.address
        return record.address

    def amount(self, asset: str, scale: float) -> Decimal:
        raw = _SCALE[asset] * scale * math.exp(self.rng.gauss(0.0, 0.6))
        return max(quantize(Decimal(repr(raw)), _PLACES[asset]), Decimal(1).scaleb(-_PLACES[asset]))

    def transfer(
        self, profile_id: str, asset: str, amount: Decimal, fee: Decimal, **kw
    ) -> Transfer:
        led = self.ledger
        return led.add_transfer(
            Transfer(
                id=led.new_id(),
                customer_id=led.customer_id,
                profile_id=profile_id,
                amount=amount,
                fee=fee,
                asset=asset,
                **kw,
            )
        )

    def deposit(self, pid: str, asset: str, when: datetime, scale: float = 1.0) -> None:
        amount = self.amount(asset, scale)
        done = when + timedelta(seconds=self.rng.randint(5, 1800))
        extra: dict[str, Any]
        if asset == "USD":
            extra = {"type": "WIRE_DEPOSIT", "memo": f"SEED{self.rng.randint(10000, 99999)}"}
        else:
            network = NETWORKS_BY_ASSET[asset][0]
            if network not in ("BITCOIN", "ETHEREUM", "SOLANA"):
                network = "ETHEREUM"
            extra = {
                "type": "CRYPTO_DEPOSIT",
                "crypto_network": network,
                "destination_address": self.addresses[(pid, network)],
                "crypto_tx_hash": make_tx_hash(network, self.rng),
                "crypto_tx_index": str(self.rng.randint(0, 3)),
                "notional_value": usd_value(self.ledger, asset, amount, when),
            }
        self.transfer(
            pid, asset, amount, Decimal(0), direction="CREDIT", status="COMPLETED",
            created_at=when, updated_at=done, kind="deposit", **extra,
        )  # fmt: skip
        self.ledger.credit(pid, asset, amount)

    def withdrawal(self, pid: str, asset: str, when: datetime, n: int) -> None:
        led = self.ledger
        available = led.balance(pid, asset)[0]
        fee = Decimal(_FEE.get(asset, "0"))
        amount = quantize(available * Decimal(repr(self.rng.uniform(0.05, 0.4))), _PLACES[asset])
        if amount <= 0 or amount + fee > available:
            return self.deposit(pid, asset, when)
        failed = self.rng.random() < 0.03
        extra: dict = {"ref_id": f"seed-wd-{n:05d}"} if self.rng.random() < 0.5 else {}
        if asset == "USD":
            extra.update(type="WIRE_WITHDRAWAL", fiat_account_id=led.new_id())
        else:
            network = NETWORKS_BY_ASSET[asset][0]
            extra.update(
                type="CRYPTO_WITHDRAWAL",
                crypto_network=network,
                destination_address=make_address(network, self.rng),
                notional_value=usd_value(led, asset, amount + fee, when),
            )
            if not failed:
                extra["crypto_tx_hash"] = make_tx_hash(network, self.rng)
        done = when + timedelta(seconds=self.rng.randint(30, 3600))
        self.transfer(
            pid, asset, amount, fee, direction="DEBIT", status="FAILED" if failed else "COMPLETED",
            created_at=when, updated_at=done, kind="withdrawal", **extra,
        )  # fmt: skip
        if not failed:
            led.debit(pid, asset, amount + fee)
        return None

    def internal(self, pid: str, to: str, asset: str, when: datetime, n: int) -> None:
        led = self.ledger
        amount = quantize(
            led.balance(pid, asset)[0] * Decimal(repr(self.rng.uniform(0.05, 0.3))),
            _PLACES[asset],
        )
        if amount <= 0:
            return self.deposit(pid, asset, when)
        group = led.new_id()
        done = when + timedelta(milliseconds=self.rng.randint(200, 3000))
        ref = {"ref_id": f"seed-it-{n:05d}"} if self.rng.random() < 0.5 else {}
        meta = {"purpose": self.rng.choice(("rebalance", "payout", "funding"))}
        common = {"status": "COMPLETED", "created_at": when, "updated_at": done, "kind": "internal"}
        self.transfer(
            pid, asset, amount, Decimal(0), direction="DEBIT", type="INTERNAL_TRANSFER_DEBIT",
            group_id=group, metadata=meta, **ref, **common,
        )  # fmt: skip
        later = when + timedelta(microseconds=self.rng.randint(1, 900))
        self.transfer(
            to, asset, amount, Decimal(0), direction="CREDIT", type="INTERNAL_TRANSFER_CREDIT",
            group_id=group, **dict(common, created_at=later),
        )  # fmt: skip
        led.debit(pid, asset, amount)
        led.credit(to, asset, amount)
        return None

    def run(self) -> None:
        pids = self.profiles()
        span = (self.ledger.as_of - timedelta(hours=2) - self.start).total_seconds()
        funding = [(pid, asset) for pid in pids for asset in SEED_ASSETS]
        moments = sorted(
            self.start + timedelta(microseconds=self.rng.randrange(int(span * 1e6)))
            for _ in range(self.events)
        )
        for k, (pid, asset) in enumerate(funding):  # every profile holds every seeded asset
            self.deposit(pid, asset, self.start - timedelta(days=2, minutes=-7 * k), scale=3.0)
        for n, when in enumerate(moments):
            pid = self.rng.choice(pids)
            asset = self.rng.choice(SEED_ASSETS)
            roll = self.rng.random()
            if roll < 0.42:
                self.deposit(pid, asset, when)
            elif roll < 0.68:
                self.withdrawal(pid, asset, when, n)
            else:
                to = self.rng.choice([p for p in pids if p != pid])
                self.internal(pid, to, asset, when, n)


def populate(ledger, history: int = 2000) -> None:
    """Fill a fresh ledger with the seeded profiles, addresses and transfer history."""
    _History(ledger, history).run()
