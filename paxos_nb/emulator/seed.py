"""The seeded world: three profiles, their deposit addresses and a year of transfers.

``populate(ledger)`` replays a deterministic history that ends before ``ledger.as_of``:
first deposits that fund every profile in USD, BTC, ETH, PAXG, USDP, PYUSD and USDG, then
``history`` random events (deposits, withdrawals — a few FAILED — and internal transfers with
both legs). The balances are built only by applying these transfers, so the sum of the
seeded transfers reproduces every seeded balance exactly (``ledger.audit()`` shows it).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .fmt import quantize
from .networks import NETWORKS_BY_ASSET, make_address, make_tx_hash, usd_value
from .records import Transfer

if TYPE_CHECKING:
    from .ledger import Ledger

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


class _History:
    def __init__(self, ledger: Ledger, history: int) -> None:
        self.ledger = ledger
        self.balances, self.transfers = ledger.balances, ledger.transfers
        self.rng = ledger.random("history")
        self.events = history
        self.start = ledger.as_of - timedelta(days=365)
        self.addresses: dict[tuple[str, str], str] = {}

    def profiles(self) -> list[str]:
        create = self.ledger.profiles.create
        base = self.start - timedelta(days=120)
        made = [
            create("default", "DEFAULT", base),
            create("trading", "NORMAL", base + timedelta(days=3, seconds=4021)),
            create(
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
        address = make_address(network, self.rng)
        self.ledger.deposit_addresses.create(profile_id, network, created, address)
        self.addresses[(profile_id, network)] = address
        return address

    def amount(self, asset: str, scale: float) -> Decimal:
        raw = _SCALE[asset] * scale * math.exp(self.rng.gauss(0.0, 0.6))
        return max(quantize(Decimal(repr(raw)), _PLACES[asset]), Decimal(1).scaleb(-_PLACES[asset]))

    def transfer(
        self, profile_id: str, asset: str, amount: Decimal, fee: Decimal, **kw: Any
    ) -> Transfer:
        return self.transfers.new(profile_id, amount, asset, fee=fee, **kw)

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
                "notional_value": usd_value(self.ledger.prices, asset, amount, when),
            }
        self.transfer(
            pid, asset, amount, Decimal(0), direction="CREDIT", status="COMPLETED",
            created_at=when, updated_at=done, kind="deposit", **extra,
        )  # fmt: skip
        self.balances.credit(pid, asset, amount)

    def withdrawal(self, pid: str, asset: str, when: datetime, n: int) -> None:
        led = self.ledger
        available = self.balances.pair(pid, asset)[0]
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
                notional_value=usd_value(led.prices, asset, amount + fee, when),
            )
            if not failed:
                extra["crypto_tx_hash"] = make_tx_hash(network, self.rng)
        done = when + timedelta(seconds=self.rng.randint(30, 3600))
        self.transfer(
            pid, asset, amount, fee, direction="DEBIT", status="FAILED" if failed else "COMPLETED",
            created_at=when, updated_at=done, kind="withdrawal", **extra,
        )  # fmt: skip
        if not failed:
            self.balances.debit(pid, asset, amount + fee)
        return None

    def internal(self, pid: str, to: str, asset: str, when: datetime, n: int) -> None:
        led = self.ledger
        amount = quantize(
            self.balances.pair(pid, asset)[0] * Decimal(repr(self.rng.uniform(0.05, 0.3))),
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
        self.balances.debit(pid, asset, amount)
        self.balances.credit(to, asset, amount)
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


def populate(ledger: Ledger, history: int = 2000) -> None:
    """Fill a fresh ledger with the seeded profiles, addresses and transfer history."""
    _History(ledger, history).run()
