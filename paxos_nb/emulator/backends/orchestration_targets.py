"""Where an orchestration pays: a profile, or a withdrawal to a crypto address or fiat account.

docs.paxos.com (Orchestrations) and the spec (CreateOrchestration, CreateOrchestrationRule):
an ad-hoc destination is ``profile{profile_id}``, ``crypto{address_id}`` (a registered crypto
destination address) or ``fiat{bank_account_id, memo}``; a rule's is ``profile{profile_id}``,
``crypto{crypto_address_id}`` or ``fiat{fiat_account_id, memo}``. A crypto or fiat destination
makes the destination leg a withdrawal of the converted asset: a ``CRYPTO_WITHDRAWAL`` on the
address's network (the Withdrawals backend's checks, fee and broadcast) or a fiat withdrawal
after the account's network (the FiatTransfers backend's). The field names are the main
spec's: the guide's ad-hoc ``crypto_address_id`` and the preview spec's rule
``bank_account_id`` are undeclared there, so request validation discards them like any
undeclared member and the request then lacks its id (400 naming the spec's field).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..problems import bad_request
from ..records import Transfer
from .conversions import check_pair
from .destinations import Destination, Destinations
from .fiat import FiatTransfers
from .fiat_accounts import FiatAccount
from .profiles import Profiles
from .withdrawals import Withdrawals, check_destination

__all__ = ["Target", "Targets"]


@dataclass(frozen=True)
class Target:
    """One resolved destination: ``echo`` is the orchestration's ``destination`` object."""

    echo: dict[str, Any]
    profile_id: str = ""  # a profile destination
    address: Destination | None = None  # a crypto destination
    account: FiatAccount | None = None  # a fiat destination
    kind: str = ""  # the fiat withdrawal type (WIRE_WITHDRAWAL ...)
    memo: str | None = None

    @property
    def pays_out(self) -> bool:
        """True when the destination leg is a withdrawal rather than a profile credit."""
        return self.address is not None or self.account is not None


def check_assets(target: Target, source: str, destination: str) -> None:
    """400 unless the orchestration can turn ``source`` into ``destination`` for ``target``:
    USD <-> a Paxos stablecoin for a profile; the same asset also for a withdrawal, and USD
    only to a fiat account."""
    if target.account is not None:
        if destination != "USD":
            raise bad_request(
                f"destination_asset invalid: a fiat destination receives USD, not {destination}"
            )
        if source != "USD":
            check_pair(source, "USD")
    elif target.address is None or source != destination:
        check_pair(source, destination)


def _spec(part: Any, name: str) -> dict[str, Any]:
    if part is not None and not isinstance(part, dict):
        raise bad_request(f"{name} must be an object")
    return part or {}


class Targets:
    """Resolves destinations and opens their withdrawal legs (no state of its own)."""

    def __init__(self, profiles: Profiles, destinations: Destinations, withdrawals: Withdrawals,
                 fiat: FiatTransfers) -> None:  # fmt: skip
        self.profiles, self.destinations = profiles, destinations
        self.withdrawals, self.fiat = withdrawals, fiat

    # -- resolving ------------------------------------------------------------------------------
    def parse(self, destination: Any, default_profile: str, *, rule: bool) -> Target:
        """The request's ``destination`` (``rule``: CreateOrchestrationRule's names): 404 for
        an unknown profile, address or fiat account, 400 for one that cannot receive."""
        if destination in (None, {}):
            return self.profile(default_profile)
        if not isinstance(destination, dict) or len(destination) != 1:
            raise bad_request(
                "destination must be an object with exactly one of profile, crypto or fiat"
            )
        kind, part = next(iter(destination.items()))
        spec = _spec(part, f"destination.{kind}")
        if kind == "profile":
            return self.profile(self.profiles.find(spec.get("profile_id") or default_profile).id)
        if kind == "crypto":
            name = "crypto_address_id" if rule else "address_id"
            ident = spec.get(name)
            if not ident or not isinstance(ident, str):
                raise bad_request(f"destination.crypto.{name} is required")
            return self.crypto(ident)
        if kind == "fiat":
            name = "fiat_account_id" if rule else "bank_account_id"
            ident = spec.get(name)
            if not ident or not isinstance(ident, str):
                raise bad_request(f"destination.fiat.{name} is required")
            memo = spec.get("memo")
            return self.fiat_account(ident, memo if isinstance(memo, str) and memo else None)
        raise bad_request(f"destination.{kind} invalid: use one of profile, crypto or fiat")

    def profile(self, profile_id: str) -> Target:
        return Target({"profile": {"profile_id": profile_id}}, profile_id=profile_id)

    def crypto(self, address_id: str) -> Target:
        """A registered, APPROVED crypto destination address (404 unknown, 400 otherwise)."""
        address = self.destinations.find(address_id)
        if address.status != "APPROVED":
            raise bad_request(
                f"crypto destination address {address_id} has status {address.status}, "
                "must be APPROVED"
            )
        echo = {"address_id": address.id, "address": address.address,
                "network": address.crypto_network}  # fmt: skip
        return Target({"crypto": echo}, address=address)

    def fiat_account(self, fiat_account_id: str, memo: str | None) -> Target:
        """An APPROVED fiat account (FiatTransfers' checks: 404 unknown, 400 otherwise)."""
        account, kind = self.fiat.approved(fiat_account_id, memo)
        echo: dict[str, Any] = {"bank_account_id": account.id}
        if memo:
            echo["memo"] = memo
        return Target({"fiat": echo}, account=account, kind=kind, memo=memo)

    def of_rule(self, stored: dict[str, Any]) -> Target:
        """The target of a rule's stored ``destination`` (as :meth:`rule_form` wrote it)."""
        if "crypto" in stored:
            crypto = stored["crypto"]
            known = self.destinations.by_key.get((crypto["network"], crypto["address"]))
            if known is None:  # pragma: no cover - addresses are never deleted
                raise bad_request("the rule's crypto destination address is gone")
            return self.crypto(known.id)
        if "fiat" in stored:
            fiat = stored["fiat"]
            return self.fiat_account(fiat["fiat_account_id"], fiat.get("memo"))
        return self.profile(stored["profile"]["profile_id"])

    @staticmethod
    def rule_form(target: Target) -> dict[str, Any]:
        """A rule's ``destination`` as the spec's OrchestrationRule shows it."""
        if target.address is not None:
            address = target.address
            return {"crypto": {"address": address.address, "network": address.crypto_network}}
        if target.account is not None:
            fiat = {"fiat_account_id": target.account.id}
            if target.memo:
                fiat["memo"] = target.memo
            return {"fiat": fiat}
        return dict(target.echo)

    def check_receives(self, target: Target, asset: str) -> None:
        """400 unless ``target`` can receive ``asset``: the address's network carries it, a
        fiat account receives USD (a rule's destination, checked when it is made)."""
        if target.address is not None:
            address = target.address
            check_destination(asset, address.crypto_network, address.address)
        elif target.account is not None and asset != "USD":
            raise bad_request(
                f"destination_asset invalid: a fiat destination receives USD, not {asset}"
            )

    # -- the withdrawal leg ---------------------------------------------------------------------
    def check_leg(
        self, target: Target, asset: str, total: Decimal, identity_id: str | None = None
    ) -> None:
        """400 unless the leg can send ``total`` of ``asset`` (network, fee, caps, limits); 403
        when the controls of ``identity_id`` refuse its withdrawals (a payout is one)."""
        if self.withdrawals.controls is not None:
            self.withdrawals.controls.guard(identity_id, "WITHDRAWAL")
        if target.address is not None:
            address = target.address
            self.withdrawals.check_leg(asset, address.crypto_network, address.address, total)
        elif target.account is not None:
            self.fiat.check_leg(target.kind, total)

    def open_leg(self, target: Target, profile_id: str, asset: str, total: Decimal,
                 **fields: Any) -> Transfer:  # fmt: skip
        """The PENDING withdrawal of ``total`` of ``asset`` (fee included) for ``target``."""
        if target.address is not None:
            address = target.address
            return self.withdrawals.open_leg(
                profile_id, asset, address.crypto_network, address.address, total, **fields
            )
        assert target.account is not None
        return self.fiat.open_leg(
            profile_id, target.account, target.kind, total, target.memo, **fields
        )

    def send(self, target: Target, leg: Transfer, start: datetime,
             then: Callable[[datetime], None]) -> None:  # fmt: skip
        """Send the leg on its rail from ``start``; ``then(when)`` once it is final."""
        if target.address is not None:
            self.withdrawals.broadcast(leg, start, then=then)
        else:
            self.fiat.pay_out(leg, start, then=then)
