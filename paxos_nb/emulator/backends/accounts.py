"""Accounts of identities and their members; ``create_profile`` makes a real profile.

An account belongs to a primary identity (its ``identity_id``, the tax owner, counted as a
BENEFICIAL_OWNER) and lists other identities as members with roles. Its ``summary_status``
mirrors the primary identity's (DISABLED while the account itself is disabled) [unverified].
``create_profile`` creates a NORMAL profile in the profiles backend whose ``account_id`` is the
account's, usable by every profile, balance and transfer route; without it an account never
gets a profile. Members are immutable: AddAccountMembers appends, DeleteAccountMember
removes, UpdateAccount replaces the whole list but may only add or remove the
FINANCIAL_ADVISOR and AUTHORIZED_USER roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..fmt import dumps, fmt_ts
from ..problems import bad_request, not_found
from .core import Core, Family
from .identities import Identities
from .identity_records import Identity
from .profiles import Profiles

__all__ = ["Account", "AccountMember", "Accounts"]

MemberSpec = Mapping[str, Any]  # {identity_id, roles, id?}


@dataclass
class AccountMember:
    id: str
    account_id: str
    identity: Identity
    roles: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "identity_id": self.identity.id, "roles": list(self.roles)}


@dataclass
class Account:
    id: str
    owner: Identity  # the primary identity
    created_at: datetime
    updated_at: datetime
    type: str = "BROKERAGE"
    description: str | None = None
    ref_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    members: list[AccountMember] = field(default_factory=list)
    profile_id: str | None = None
    user_disabled: bool = False
    admin_disabled: bool = False

    @property
    def summary_status(self) -> str:
        if self.user_disabled or self.admin_disabled:
            return "DISABLED"
        return self.owner.summary_status

    def wire(self) -> bytes:
        """Encoded afresh each time: the status comes from the primary identity."""
        return dumps(self.to_json())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "identity_id": self.owner.id, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.ref_id:
            out["ref_id"] = self.ref_id
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        out["admin_disabled"] = self.admin_disabled
        out["user_disabled"] = self.user_disabled
        out["members"] = [m.to_json() for m in self.members]
        out["summary_status"] = self.summary_status
        if self.profile_id:
            out["profile_id"] = self.profile_id
        out["created_at"] = fmt_ts(self.created_at)
        out["updated_at"] = fmt_ts(self.updated_at)
        return out


class Accounts(Family[Account]):
    """Every account of the customer, with an index of their members."""

    def __init__(self, core: Core, identities: Identities, profiles: Profiles) -> None:
        super().__init__("account")
        self.core, self.identities, self.profiles = core, identities, profiles
        self.members: dict[str, AccountMember] = {}

    def reset(self) -> None:
        self.clear()
        self.members.clear()

    def find(self, ident: str, detail: str | None = None) -> Account:
        found = self.get(ident)
        if found is None:
            raise not_found(detail or f"account not found: {ident}")
        return found

    def create(
        self,
        identity_id: str,
        at: datetime,
        members: Iterable[MemberSpec] = (),
        create_profile: bool = False,
        **fields: Any,
    ) -> Account:
        """A new account of ``identity_id``; ``fields``: type, description, ref_id, metadata.
        409 already-exists (``meta.existing``: the account) on a duplicate ref_id."""
        self.check_ref(fields.get("ref_id"), "account")
        owner = self.identities.find(
            identity_id, f"account.identity_id: identity not found: {identity_id}"
        )
        account = Account(
            self.core.new_id(), owner, at, at, **{k: v for k, v in fields.items() if v is not None}
        )
        resolved = self._resolve(account, list(members), "account.members", adding=True)
        if create_profile:
            profile = self.profiles.create(
                f"account-{account.id}", "NORMAL", at, account.description, account_id=account.id
            )
            account.profile_id = profile.id
        self.add(account)
        self.core.changed("account.created", account, at)
        for identity, roles, _ in resolved:
            self._append(account, identity, roles, at)
        return account

    def update(
        self,
        account: Account,
        at: datetime,
        members: Sequence[MemberSpec] | None = None,
        user_disabled: bool | None = None,
        **fields: Any,
    ) -> Account:
        """UpdateAccount: ``fields`` (description, ref_id, metadata) overwrite; ``members`` is
        the full new list (at least one), changing only FINANCIAL_ADVISOR / AUTHORIZED_USER."""
        ref_id = fields.get("ref_id")
        if ref_id and ref_id != account.ref_id:
            self.check_ref(ref_id, "account")
        new_members = account.members
        if members is not None:
            new_members = self._replace(account, members, at)
        if user_disabled is not None:
            fields["user_disabled"] = user_disabled
        fields = {k: v for k, v in fields.items() if v is not None}
        if new_members is account.members and all(
            getattr(account, k) == v for k, v in fields.items()
        ):
            return account  # nothing changes
        if ref_id and ref_id != account.ref_id:
            self.refs.pop(account.ref_id or "", None)
            self.refs[ref_id] = account
        for name, value in fields.items():
            setattr(account, name, value)
        for member in new_members:
            self.members[member.id] = member
        for gone in {m.id for m in account.members} - {m.id for m in new_members}:
            del self.members[gone]
        account.members = new_members
        account.updated_at = at
        self.core.changed("account.updated", account, at)
        return account

    def add_members(
        self, account: Account, specs: Iterable[MemberSpec], at: datetime
    ) -> list[AccountMember]:
        """AddAccountMembers: append members; each gets an id."""
        resolved = self._resolve(account, list(specs), "members", adding=True)
        if not resolved:
            raise bad_request("members: give at least one member")
        added = [self._append(account, identity, roles, at) for identity, roles, _ in resolved]
        account.updated_at = at
        return added

    def delete_member(self, member_id: str, at: datetime) -> None:
        member = self.members.pop(member_id, None)
        if member is None:
            raise not_found(f"account member not found: {member_id}")
        account = self.find(member.account_id)
        account.members = [m for m in account.members if m.id != member_id]
        account.updated_at = at
        self.core.changed("account_member.deleted", member, at)

    # -- members --------------------------------------------------------------------------
    def _append(
        self, account: Account, identity: Identity, roles: tuple[str, ...], at: datetime
    ) -> AccountMember:
        member = AccountMember(self.core.new_id(), account.id, identity, roles)
        account.members = [*account.members, member]
        self.members[member.id] = member
        self.core.changed("account_member.created", member, at)
        return member

    def _resolve(
        self, account: Account, specs: Sequence[MemberSpec], where: str, *, adding: bool
    ) -> list[tuple[Identity, tuple[str, ...], str | None]]:
        """(identity, roles, given member id) per spec, every rule checked first."""
        seen = {m.identity.id for m in account.members} if adding else set()
        out = []
        for n, spec in enumerate(specs):
            at = f"{where}[{n}]"
            ident = spec["identity_id"]
            if adding and spec.get("id"):
                raise bad_request(f"{at}.id: member ids are assigned by Paxos; leave id out")
            identity = self.identities.find(ident, f"{at}.identity_id: identity not found: {ident}")
            if identity is account.owner:
                raise bad_request(
                    f"{at}.identity_id: {ident} is the account's primary identity "
                    "(already its BENEFICIAL_OWNER), not a member"
                )
            if ident in seen:
                raise bad_request(
                    f"{at}.identity_id: identity {ident} is already a member of this account"
                )
            seen.add(ident)
            out.append((identity, tuple(dict.fromkeys(spec["roles"])), spec.get("id")))
        return out

    def _replace(
        self, account: Account, specs: Sequence[MemberSpec], at: datetime
    ) -> list[AccountMember]:
        """The members after a full replace; ids kept for identities already members."""
        if not specs and not account.members:
            return account.members  # [] echoed back for an account without members
        if not specs:
            raise bad_request(
                "account.members must hold at least one member; "
                "remove the last one with DeleteAccountMember"
            )
        resolved = self._resolve(account, specs, "account.members", adding=False)
        by_identity = {m.identity.id: m for m in account.members}
        before = {i for i, m in by_identity.items() if "BENEFICIAL_OWNER" in m.roles}
        after = {identity.id for identity, roles, _ in resolved if "BENEFICIAL_OWNER" in roles}
        if before != after:
            raise bad_request(
                "account.members: UpdateAccount can add or remove only the FINANCIAL_ADVISOR and "
                "AUTHORIZED_USER roles; use AddAccountMembers / DeleteAccountMember for a "
                "BENEFICIAL_OWNER"
            )
        out: list[AccountMember] = []
        for n, (identity, roles, given) in enumerate(resolved):
            kept = by_identity.get(identity.id)
            if given and (kept is None or kept.id != given):
                raise bad_request(
                    f"account.members[{n}].id: {given} is not the member id of "
                    f"{identity.id} on this account"
                )
            if kept is not None and kept.roles == roles:
                out.append(kept)
            else:
                out.append(
                    AccountMember(
                        kept.id if kept else self.core.new_id(), account.id, identity, roles
                    )
                )
        if [(m.id, m.roles) for m in out] == [(m.id, m.roles) for m in account.members]:
            return account.members
        return out
