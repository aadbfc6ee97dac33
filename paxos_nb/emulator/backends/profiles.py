"""Profiles and their balances: the only place a balance changes.

:class:`Balances` keeps ``[available, trading]`` per profile and asset; ``credit``, ``debit``,
``reserve`` and ``release`` are every balance movement there is, each announced once as a
``balance.changed`` change (the record is ``(profile_id, asset)``). Arithmetic is exact
(``Decimal`` in a wide context).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fmt import EXACT, Wired, fmt_dec
from ..problems import already_exists, bad_request, insufficient_funds, not_found
from .core import Core, Family

__all__ = ["Balances", "Profile", "Profiles"]

log = logging.getLogger(__name__)
ZERO = Decimal(0)


def put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set optional fields only when they carry a value (Paxos omits empty optionals)."""
    if value not in (None, "", {}):
        out[key] = value


@dataclass
class Profile(Wired):
    id: str
    nickname: str
    type: str  # DEFAULT | NORMAL
    created_at: datetime
    description: str | None = None
    deactivated: bool = False
    account_id: str | None = None  # the identity account it was made for (create_profile)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "nickname": self.nickname, "type": self.type}
        put(out, "description", self.description)
        put(out, "account_id", self.account_id)
        return out


class Profiles(Family[Profile]):
    """The customer's profiles; ``"default"`` names the DEFAULT one."""

    def __init__(self, core: Core) -> None:
        super().__init__("profile")
        self.core = core
        self.default_profile_id = ""

    def reset(self) -> None:
        self.clear()
        self.default_profile_id = ""

    def create(
        self,
        nickname: str,
        kind: str,
        created_at: datetime,
        description: str | None = None,
        account_id: str | None = None,
    ) -> Profile:
        """A new profile; 409 already-exists when another one has this nickname."""
        self.check_unique(nickname)
        profile = Profile(
            self.core.new_id(), nickname, kind, created_at, description, account_id=account_id
        )
        self.add(profile)
        if kind == "DEFAULT":
            self.default_profile_id = profile.id
        self.core.changed("profile.created", profile, created_at)
        return profile

    def find(self, ident: str, *, include_deactivated: bool = False) -> Profile:
        """The profile ``ident`` (or ``"default"``); 404 ``profile not found: <id>`` otherwise."""
        key = self.default_profile_id if ident == "default" else ident
        found = self.get(key)
        if found is None or (found.deactivated and not include_deactivated):
            raise not_found(f"profile not found: {ident}")
        return found

    def check_unique(self, nickname: str, own_id: str | None = None) -> None:
        # Uniqueness is case-insensitive and includes deactivated profiles (emulator choice).
        for profile in self:
            if profile.id != own_id and profile.nickname.lower() == nickname.lower():
                raise already_exists("nickname already exists", profile.to_json())

    def rename(self, profile: Profile, nickname: str) -> Profile:
        if profile.type == "DEFAULT":
            raise bad_request("the default profile cannot be renamed")
        self.check_unique(nickname, profile.id)
        profile.nickname = nickname
        self.core.changed("profile.updated", profile)
        return profile

    def set_active(self, profile: Profile, active: bool) -> None:
        profile.deactivated = not active
        self.core.changed("profile.reactivated" if active else "profile.deactivated", profile)


class Balances:
    """``[available, trading]`` per profile and asset; every movement of money."""

    def __init__(self, core: Core, profiles: Profiles) -> None:
        self.core, self.profiles = core, profiles
        self.by_profile: dict[str, dict[str, list[Decimal]]] = {}

    def reset(self) -> None:
        self.by_profile.clear()

    def pair(self, profile_id: str, asset: str) -> list[Decimal]:
        """The ``[available, trading]`` pair of one profile and asset (read it, never write)."""
        return self.by_profile.setdefault(profile_id, {}).setdefault(asset, [ZERO, ZERO])

    def credit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        pair = self.pair(profile_id, asset)
        pair[0] = EXACT.add(pair[0], amount)
        profile = self.profiles.get(profile_id)
        if profile is not None and profile.deactivated and amount > 0:
            self.profiles.set_active(profile, True)  # a profile that receives funds revives
            log.info("profile %s reactivated by a credit", profile_id)
        self.core.changed("balance.changed", (profile_id, asset))

    def check(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """403 insufficient-funds (with meta) unless ``amount`` is available; moves nothing."""
        available = self.by_profile.get(profile_id, {}).get(asset, (ZERO, ZERO))[0]
        if available < amount:
            raise insufficient_funds(profile_id, asset, fmt_dec(available), fmt_dec(amount))

    def debit(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Take ``amount`` from available; 403 insufficient-funds (with meta) if it is short."""
        self.check(profile_id, asset, amount)
        pair = self.pair(profile_id, asset)
        pair[0] = EXACT.subtract(pair[0], amount)
        self.core.changed("balance.changed", (profile_id, asset))

    def reserve(self, profile_id: str, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from available to trading (held by an open order); 403 if short."""
        pair = self.pair(profile_id, asset)
        if pair[0] < amount:
            raise insufficient_funds(profile_id, asset, fmt_dec(pair[0]), fmt_dec(amount))
        pair[0] = EXACT.subtract(pair[0], amount)
        pair[1] = EXACT.add(pair[1], amount)
        self.core.changed("balance.changed", (profile_id, asset))

    def release(self, profile_id: str, asset: str, amount: Decimal, *, spend: bool = False) -> None:
        """Take ``amount`` out of trading: back to available, or spent when ``spend``."""
        pair = self.pair(profile_id, asset)
        if amount > pair[1]:
            raise RuntimeError(f"release of {amount} {asset} exceeds trading {pair[1]}")
        pair[1] = EXACT.subtract(pair[1], amount)
        if not spend:
            pair[0] = EXACT.add(pair[0], amount)
        self.core.changed("balance.changed", (profile_id, asset))

    def has_funds(self, profile_id: str) -> bool:
        return any(a or t for a, t in self.by_profile.get(profile_id, {}).values())

    def deactivate(self, profile: Profile) -> None:
        """Deactivate ``profile``: never the default one, never while it holds money."""
        if profile.type == "DEFAULT":
            raise bad_request("the default profile cannot be deactivated")
        if self.has_funds(profile.id):
            raise bad_request(
                "profile cannot be deactivated while it holds a non-zero balance; "
                "move its funds to another profile first"
            )
        self.profiles.set_active(profile, False)
