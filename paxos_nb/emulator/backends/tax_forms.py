"""Tax forms (1099-B, 1099-MISC) per account and tax year, behind 60-second links.

docs.paxos.com (Tax Forms; spec operations ListTaxForms, ListTaxFormRevisions): forms of a
tax year appear in February of the next year; ListTaxForms gives the newest revision of each
account and form type, ListTaxFormRevisions every revision (the highest is current). Each
answer carries fresh pre-signed URLs (``files.SignedFiles``) that expire 60 s after issue.
Only accounts of the customer have forms (``backends/accounts.py``; every account of the
emulator is the caller's): any other account id is a 404 naming it, as GetAccount answers.
The forms themselves are derived from the seed, the account id and the year, so the same
account shows the same forms every run [unverified: which accounts have which forms].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..files import SignedFiles
from ..problems import not_found
from .accounts import Accounts
from .core import Core

__all__ = ["FORM_TYPES", "TaxForm", "TaxForms"]

FORM_TYPES = ("FORM_1099_B", "FORM_1099_MISC")


@dataclass(frozen=True)
class TaxForm:
    account_id: str
    type: str
    tax_year: str
    revision: int

    @property
    def name(self) -> str:
        return f"tax-forms/{self.account_id}/{self.tax_year}/{self.type}-r{self.revision}.pdf"

    def content(self) -> bytes:
        """A small PDF-shaped placeholder naming the form (the emulator has no tax data)."""
        text = f"paxos-nb emulator: {self.type} {self.tax_year} revision {self.revision}"
        return f"%PDF-1.4\n% {text}\n% account {self.account_id}\n%%EOF\n".encode()


class TaxForms:
    """Forms of the customer's accounts, derived on request; links signed by ``files``."""

    def __init__(self, core: Core, files: SignedFiles, accounts: Accounts) -> None:
        self.core, self.files, self.accounts = core, files, accounts

    def reset(self) -> None:
        """Nothing is stored: the forms are a function of the seed (the links live in files)."""

    def check_accounts(self, account_ids: list[str]) -> None:
        """404 naming every id that is no account of the customer (GetAccount's wording)."""
        missing = [a for a in account_ids if self.accounts.get(a) is None]
        if len(missing) == 1:
            raise not_found(f"account not found: {missing[0]}")
        if missing:
            raise not_found(f"accounts not found: {', '.join(missing)}")

    def published(self, tax_year: int, now: datetime) -> bool:
        return now >= datetime(tax_year + 1, 2, 1, tzinfo=timezone.utc)

    def revisions(self, account_id: str, tax_year: int) -> list[TaxForm]:
        """Every revision of every form of the account for the year (none before February);
        404 if ``account_id`` is no account of the customer."""
        self.check_accounts([account_id])
        if not self.published(tax_year, self.core.now):
            return []
        rng = self.core.random("tax-forms", account_id, tax_year)
        types = ["FORM_1099_B"] + (["FORM_1099_MISC"] if rng.random() < 0.5 else [])
        return [
            TaxForm(account_id, kind, str(tax_year), revision)
            for kind in types
            for revision in range(1, rng.choice((1, 1, 2, 3)) + 1)
        ]

    def latest(self, accounts: list[str], tax_year: int, types: set[str]) -> list[TaxForm]:
        """The newest revision of each account's forms of ``types`` (all when empty); 404
        naming the ids that are no account of the customer."""
        self.check_accounts(accounts)
        newest: dict[tuple[str, str], TaxForm] = {}
        for account in accounts:
            for form in self.revisions(account, tax_year):
                if not types or form.type in types:
                    newest[(account, form.type)] = form  # revisions ascend
        return list(newest.values())

    def answer(self, forms: list[TaxForm]) -> dict[str, Any]:
        now = self.core.now
        return {
            "tax_form_urls": [
                {
                    "account_id": f.account_id,
                    "type": f.type,
                    "tax_year": f.tax_year,
                    "revision": str(f.revision),
                    "url": self.files.link(f.name, f.content(), now),
                }
                for f in forms
            ]
        }
