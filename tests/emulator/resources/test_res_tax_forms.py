"""Tax forms: newest forms and revisions, and pre-signed links that die after 60 s."""

from __future__ import annotations

import pytest
import requests
from part2_checks import assert_valid, no_server_errors

ACCOUNTS = [f"00000000-0000-4000-8000-0000000000{i:02d}" for i in range(12)]


def _revisions(world, account):
    got = world.api.ok("GET", "/tax/tax-form-revisions", account_id=account, tax_year="2025")
    assert_valid("ListTaxFormRevisions", got)
    return got["tax_form_urls"]


def test_latest_forms_are_the_highest_revisions(world):
    got = world.api.ok("GET", "/tax/tax-forms", account_ids=ACCOUNTS, tax_year="2025")
    assert_valid("ListTaxForms", got)
    latest = {(f["account_id"], f["type"]): f["revision"] for f in got["tax_form_urls"]}
    assert {a for a, _ in latest} == set(ACCOUNTS)  # every account has a 1099-B
    assert {t for _, t in latest} == {"FORM_1099_B", "FORM_1099_MISC"}
    revised = 0
    for account in ACCOUNTS:
        every = _revisions(world, account)
        for kind in {f["type"] for f in every}:
            numbers = [int(f["revision"]) for f in every if f["type"] == kind]
            assert numbers == list(range(1, len(numbers) + 1))
            assert latest[(account, kind)] == str(max(numbers))
            revised += max(numbers) > 1
    assert revised  # some forms were revised
    only_b = world.api.ok(
        "GET", "/tax/tax-forms", account_ids=ACCOUNTS[:3], tax_year="2025",
        form_types=["FORM_1099_B"],
    )["tax_form_urls"]  # fmt: skip
    assert {f["type"] for f in only_b} == {"FORM_1099_B"}
    assert len(only_b) == 3


def test_forms_appear_in_february(world):
    got = world.api.ok("GET", "/tax/tax-forms", account_ids=ACCOUNTS[:1], tax_year="2026")
    assert got == {"tax_form_urls": []}


def test_links_are_served_and_expire_after_60_seconds(world):
    (form, *_) = _revisions(world, ACCOUNTS[0])
    assert form["url"].startswith(world.emu.url + "/_emulator/files/")
    r = requests.get(form["url"], timeout=10)  # no token: the link is the credential
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert b"FORM_1099_B 2025 revision 1" in r.content
    tampered = form["url"].replace("expires=", "expires=9")
    assert requests.get(tampered, timeout=10).status_code == 403
    world.clock.advance(60)
    assert requests.get(form["url"], timeout=10).status_code == 200  # 60 s: still valid
    world.clock.advance(1)
    r = requests.get(form["url"], timeout=10)
    assert r.status_code == 403
    assert "expired" in r.json()["detail"]
    fresh = _revisions(world, ACCOUNTS[0])[0]["url"]
    assert fresh != form["url"]
    assert requests.get(fresh, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/tax/tax-forms", {"tax_year": "2025"}, "account_ids is required"),
        ("/tax/tax-forms", {"account_ids": ACCOUNTS[:1]}, "tax_year is required"),
        ("/tax/tax-forms", {"account_ids": ["x"], "tax_year": "2025"}, "not an account id"),
        ("/tax/tax-forms", {"account_ids": ACCOUNTS[:1], "tax_year": "25"}, "not a year"),
        ("/tax/tax-forms", {"account_ids": [f"{i}" for i in range(51)], "tax_year": "2025"},
         "at most 50"),
        ("/tax/tax-form-revisions", {"account_id": ACCOUNTS[0], "tax_year": "2025",
                                     "revision": "one"}, "revision invalid"),
    ],
)  # fmt: skip
def test_errors_name_the_parameter(world, path, params, words):
    status, problem = world.api.call("GET", path, **params)
    assert status == 400
    assert words in problem["detail"]


@pytest.mark.parametrize("operation_id", ["ListTaxForms", "ListTaxFormRevisions"])
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    no_server_errors(direct, operation_id)
