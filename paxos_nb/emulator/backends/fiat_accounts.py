"""Fiat accounts: the customer's external bank accounts, reviewed before withdrawals.

docs.paxos.com (Fiat Transfers): create answers PENDING; a review, automatic in the sandbox,
sets APPROVED (or REJECTED); an update sends the account back to PENDING for a new review;
delete hides it (``include_deleted=true`` shows it). The review takes the ``fiat_account``
delay (2 s); REJECTED only when forced with ``emu.outcomes``. Lists mask account numbers and
leave the owner out. Also here: the checks of bank details shared with fiat deposits.
"""

from __future__ import annotations

import re
import uuid
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..fmt import Wired, dumps, fmt_ts
from ..problems import bad_request, not_found
from .core import Core, Family

__all__ = [
    "NETWORKS",
    "FiatAccount",
    "FiatAccounts",
    "check_id",
    "network_instructions",
    "owner_of",
]

NETWORKS = ("wire", "cubix", "cbit", "dbs_act", "scb")
_ADDRESS_FIELDS = ("country", "address1", "address2", "city", "province", "zip_code")
_ADDRESS_TEXT = re.compile(r"\A[0-9A-Za-z /?:().,&'+-]+\Z")
_NUMBER_KEYS = {"wire": "account_number", "dbs_act": "account_number", "scb": "account_number"}
_REQUIRED = {"cubix": "account_id", "cbit": "wallet_address", "dbs_act": "account_number",
             "scb": "account_number"}  # fmt: skip


def check_id(ident: str, detail: str) -> None:
    """400 ``detail`` (``{id}`` filled in) unless ``ident`` is a UUID."""
    try:
        uuid.UUID(ident)
    except ValueError:
        raise bad_request(detail.format(id=ident)) from None


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{where} is required")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be an object")
    return value


def mailing_address(value: Any, where: str, *, partial: bool = False) -> dict[str, str]:
    """A ``MailingAddress``: ``country`` required (unless ``partial``), every field at most
    35 characters of ``[0-9A-Za-z /?:().,&'+-]``; empty fields are dropped."""
    given = _object(value, where)
    out: dict[str, str] = {}
    for name in _ADDRESS_FIELDS:
        item = given.get(name)
        if item in (None, ""):
            continue
        if not isinstance(item, str) or len(item) > 35 or not _ADDRESS_TEXT.match(item):
            raise bad_request(
                f"{where}.{name} must be at most 35 characters of letters, digits, spaces "
                "and / ? : ( ) . , & ' + -"
            )
        out[name] = item
    if "country" not in out and not partial:
        raise bad_request(f"{where}.country is required")
    return out


def _routing(value: Any, where: str) -> dict[str, Any]:
    given = _object(value, where)
    kind = given.get("routing_number_type")
    if kind not in ("ABA", "SWIFT"):
        raise bad_request(f"{where}.routing_number_type must be ABA or SWIFT")
    return {
        "routing_number_type": kind,
        "routing_number": _text(given.get("routing_number"), f"{where}.routing_number"),
        "bank_name": _text(given.get("bank_name"), f"{where}.bank_name"),
        "bank_address": mailing_address(given.get("bank_address"), f"{where}.bank_address"),
    }


def network_instructions(value: Any, where: str = "fiat_network_instructions") -> dict[str, Any]:
    """Bank details of exactly one network (wire, cubix, cbit, dbs_act, scb), checked and
    copied with the known fields only."""
    given = _object(value, where)
    chosen = [name for name in NETWORKS if given.get(name) not in (None, {})]
    if len(chosen) != 1:
        raise bad_request(f"{where} must hold exactly one of {', '.join(NETWORKS)}")
    network = chosen[0]
    spec = _object(given[network], f"{where}.{network}")
    key = _REQUIRED.get(network, "account_number")
    if key == "account_number" and spec.get(key) in (None, ""):
        raise bad_request("account_number must be set")  # Paxos's wording
    if network != "wire":
        return {network: {key: _text(spec.get(key), f"{where}.{network}.{key}")}}
    wire: dict[str, Any] = {
        "account_number": _text(spec["account_number"], "account_number"),
        "fiat_account_owner_address": mailing_address(
            spec.get("fiat_account_owner_address"), f"{where}.wire.fiat_account_owner_address"
        ),
        "routing_details": _routing(spec.get("routing_details"), f"{where}.wire.routing_details"),
    }
    if spec.get("intermediary_routing_details") not in (None, {}):
        wire["intermediary_routing_details"] = _routing(
            spec["intermediary_routing_details"], f"{where}.wire.intermediary_routing_details"
        )
    return {"wire": wire}


def owner_of(
    value: Any, where: str = "fiat_account_owner", *, partial: bool = False
) -> dict[str, Any]:
    """Exactly one of ``person_details{first_name, last_name}`` or
    ``institution_details{name}`` (``partial``: an update, where empty names are left out)."""
    given = _object(value, where)
    kinds = [k for k in ("person_details", "institution_details") if given.get(k) not in (None, {})]
    if len(kinds) != 1:
        raise bad_request(f"{where} must hold exactly one of person_details or institution_details")
    details = _object(given[kinds[0]], f"{where}.{kinds[0]}")
    names: tuple[str, ...] = (
        ("first_name", "last_name") if kinds[0] == "person_details" else ("name",)
    )
    if partial:
        names = tuple(n for n in names if details.get(n) not in (None, ""))
    return {kinds[0]: {n: _text(details.get(n), f"{where}.{kinds[0]}.{n}") for n in names}}


def _masked(number: str) -> str:
    return "X" * max(len(number) - 4, 0) + number[-4:]


@dataclass
class FiatAccount(Wired):
    id: str
    owner: dict[str, Any]
    instructions: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    status: str = "PENDING"  # PENDING | APPROVED | REJECTED
    ref_id: str | None = None
    identity_id: str | None = None
    account_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    review: int = 0  # bumped by every update: an older review's decision is void

    @property
    def network(self) -> str:
        return next(iter(self.instructions))

    def to_json(self, *, listed: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        for name in ("ref_id", "identity_id", "account_id"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        copy = deepcopy(self.instructions)
        if listed:  # list rows: no owner, the account number masked
            key = _NUMBER_KEYS.get(self.network)
            if key:
                copy[self.network][key] = _masked(copy[self.network][key])
        else:
            out["fiat_account_owner"] = {k: dict(v) for k, v in self.owner.items()}
        out.update(fiat_network_instructions=copy, status=self.status)
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        out.update(created_at=fmt_ts(self.created_at), updated_at=fmt_ts(self.updated_at))
        return out

    def row(self) -> _Row:
        """How a list shows it (masked, no owner)."""
        return _Row(self)


class _Row:
    __slots__ = ("account",)

    def __init__(self, account: FiatAccount) -> None:
        self.account = account

    def wire(self) -> bytes:
        return dumps(self.account.to_json(listed=True))


class FiatAccounts(Family[FiatAccount]):
    """The customer's fiat (bank) accounts."""

    def __init__(self, core: Core) -> None:
        super().__init__("fiat_account")
        self.core = core

    def reset(self) -> None:
        self.clear()

    def find(self, ident: str, *, include_deleted: bool = False) -> FiatAccount:
        """400 unless a UUID; 404 ``no fiat account found for id: '<id>'``."""
        check_id(ident, "id must be uuid, given '{id}'")
        found = self.get(ident)
        if found is None or (found.deleted and not include_deleted):
            raise not_found(f"no fiat account found for id: '{ident}'")
        return found

    def create(
        self, owner: dict[str, Any], instructions: dict[str, Any], **fields: Any
    ) -> FiatAccount:
        """A PENDING account, reviewed after the ``fiat_account`` delay (``fields``:
        ``ref_id``, ``identity_id``, ``account_id``, ``metadata``); 409 on a taken ref_id."""
        self.check_ref(fields.get("ref_id"), "fiat account")
        now = self.core.now
        account = FiatAccount(self.core.new_id(), owner, instructions, now, now, **fields)
        self.add(account)
        self.core.changed("fiat_account.created", account, now)
        self._review(account, self.core.outcomes.take("CreateFiatAccount"))
        return account

    def update(
        self,
        account: FiatAccount,
        owner: dict[str, Any] | None,
        wire: dict[str, Any] | None,
        metadata: dict[str, str] | None,
    ) -> FiatAccount:
        """Merge the changes (empty values ignored), back to PENDING for a new review."""
        if owner is not None:
            kind, details = next(iter(owner.items()))
            current = next(iter(account.owner))
            if kind != current:
                old, new = (k.split("_")[0] for k in (current, kind))
                raise bad_request(f"fiat_account_owner cannot be changed from {old} to {new}")
            owner = {kind: {**account.owner[kind], **details}}
        instructions = account.instructions
        if wire:
            if account.network != "wire":
                raise bad_request(
                    f"fiat_network_instructions.wire cannot update a {account.network} account"
                )
            instructions = {"wire": _merged(instructions["wire"], wire)}
        now = self.core.now
        if owner is not None:
            account.owner = owner
        account.instructions = instructions
        if metadata is not None:
            account.metadata = metadata
        account.status, account.updated_at = "PENDING", now
        account.review += 1
        self.core.changed("fiat_account.updated", account, now)
        self._review(account, self.core.outcomes.take("UpdateFiatAccount"))
        return account

    def delete(self, account: FiatAccount) -> None:
        account.deleted = True
        self.core.changed("fiat_account.deleted", account)

    def _review(self, account: FiatAccount, decision: str) -> None:
        review = account.review

        def decide(when: datetime) -> None:
            if account.review != review or account.deleted:
                return  # updated (a newer review decides) or deleted meanwhile
            previous = account.status
            account.status, account.updated_at = decision, when
            self.core.changed(f"fiat_account.{decision.lower()}", account, when, previous)

        self.core.after("fiat_account", self.core.now, decide)


def _merged(current: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``current`` with the non-empty values of ``change`` (nested objects merged)."""
    out = dict(current)
    for key, value in change.items():
        if value in (None, "", {}):
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out
