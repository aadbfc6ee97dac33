"""Tax forms (spec tag Tax Forms): the newest forms, and every revision, with 60 s links.

Parsing and answers only; the forms and their links are in ``backends/tax_forms.py``.
"""

from __future__ import annotations

import uuid

from ..backends.tax_forms import FORM_TYPES
from ..fmt import query_list
from ..problems import bad_request
from . import Body, Call, handles
from ._shared import ledger_of

MAX_ACCOUNTS = 50


def _year(call: Call) -> int:
    text = call.query.get("tax_year") or ""
    if not text:
        raise bad_request("tax_year is required, e.g. tax_year=2025")
    if not (text.isascii() and text.isdigit() and len(text) == 4 and "2000" <= text <= "2999"):
        raise bad_request(f"tax_year invalid: '{text}' is not a year like 2025")
    return int(text)


def _account(value: str, name: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise bad_request(f"{name} invalid: '{value}' is not an account id (a UUID)") from None
    return value


@handles("ListTaxForms")
def list_tax_forms(call: Call) -> Body:
    accounts = list(dict.fromkeys(query_list(call.query, "account_ids")))
    if not accounts:
        raise bad_request("account_ids is required: one or more account ids")
    if len(accounts) > MAX_ACCOUNTS:
        raise bad_request(f"account_ids accepts at most {MAX_ACCOUNTS} ids, got {len(accounts)}")
    accounts = [_account(a, "account_ids") for a in accounts]
    year = _year(call)
    types = set(query_list(call.query, "form_types", FORM_TYPES))
    with ledger_of(call).at(call.now) as led:
        forms = led.tax_forms
        return forms.answer(forms.latest(accounts, year, types))


@handles("ListTaxFormRevisions")
def list_tax_form_revisions(call: Call) -> Body:
    account = _account(call.query.get("account_id") or "", "account_id")
    year = _year(call)
    types = set(query_list(call.query, "form_types", FORM_TYPES))
    revision = call.query.get("revision") or ""
    if revision and not (revision.isascii() and revision.isdigit() and len(revision) < 10):
        raise bad_request(f"revision invalid: '{revision}' is not a revision number like 1")
    with ledger_of(call).at(call.now) as led:
        forms = [
            f
            for f in led.tax_forms.revisions(account, year)
            if (not types or f.type in types) and (not revision or f.revision == int(revision))
        ]
        return led.tax_forms.answer(forms)
