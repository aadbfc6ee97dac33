"""Tax forms: newest forms and revisions of the customer's accounts, and pre-signed links
that die after 60 s; an account id that is no account of the customer is a 404."""

from __future__ import annotations

import pytest
import requests
from identity_support import person
from part2_checks import assert_valid, no_server_errors

UNKNOWN = "00000000-0000-4000-8000-000000000001"  # a well-formed id of no account


def _accounts(world, count):
    """``count`` accounts of one identity (the seeded world has no accounts)."""
    owner = world.api.ok("POST", "/identity/identities", person(1))["id"]
    body = {"account": {"identity_id": owner}}
    return [world.api.ok("POST", "/identity/accounts", body)["id"] for _ in range(count)]


@pytest.fixture
def accounts(world):
    return _accounts(world, 12)


def _revisions(world, account):
    got = world.api.ok("GET", "/tax/tax-form-revisions", account_id=account, tax_year="2025")
    assert_valid("ListTaxFormRevisions", got)
    return got["tax_form_urls"]


def test_latest_forms_are_the_highest_revisions(world, accounts):
    got = world.api.ok("GET", "/tax/tax-forms", account_ids=accounts, tax_year="2025")
    assert_valid("ListTaxForms", got)
    latest = {(f["account_id"], f["type"]): f["revision"] for f in got["tax_form_urls"]}
    assert {a for a, _ in latest} == set(accounts)  # every account has a 1099-B
    assert {t for _, t in latest} == {"FORM_1099_B", "FORM_1099_MISC"}
    revised = 0
    for account in accounts:
        every = _revisions(world, account)
        for kind in {f["type"] for f in every}:
            numbers = [int(f["revision"]) for f in every if f["type"] == kind]
            assert numbers == list(range(1, len(numbers) + 1))
            assert latest[(account, kind)] == str(max(numbers))
            revised += max(numbers) > 1
    assert revised  # some forms were revised
    only_b = world.api.ok(
        "GET", "/tax/tax-forms", account_ids=accounts[:3], tax_year="2025",
        form_types=["FORM_1099_B"],
    )["tax_form_urls"]  # fmt: skip
    assert {f["type"] for f in only_b} == {"FORM_1099_B"}
    assert len(only_b) == 3


def test_forms_appear_in_february(world):
    got = world.api.ok("GET", "/tax/tax-forms", account_ids=_accounts(world, 1), tax_year="2026")
    assert got == {"tax_form_urls": []}


def test_links_are_served_and_expire_after_60_seconds(world):
    (account,) = _accounts(world, 1)
    (form, *_) = _revisions(world, account)
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
    fresh = _revisions(world, account)[0]["url"]
    assert fresh != form["url"]
    assert requests.get(fresh, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/tax/tax-forms", {"tax_year": "2025"}, "account_ids is required"),
        ("/tax/tax-forms", {"account_ids": [UNKNOWN]}, "tax_year is required"),
        ("/tax/tax-forms", {"account_ids": ["x"], "tax_year": "2025"}, "not an account id"),
        ("/tax/tax-forms", {"account_ids": [UNKNOWN], "tax_year": "25"}, "not a year"),
        ("/tax/tax-forms", {"account_ids": [f"{i}" for i in range(51)], "tax_year": "2025"},
         "at most 50"),
        ("/tax/tax-form-revisions", {"account_id": UNKNOWN, "tax_year": "2025",
                                     "revision": "one"}, "revision invalid"),
    ],
)  # fmt: skip
def test_errors_name_the_parameter(world, path, params, words):
    status, problem = world.api.call("GET", path, **params)
    assert status == 400
    assert words in problem["detail"]


def test_unknown_accounts_are_404_naming_them(world):
    (real,) = _accounts(world, 1)
    other = "00000000-0000-4000-8000-000000000002"
    status, problem = world.api.get("/tax/tax-forms", account_ids=[real, UNKNOWN], tax_year="2025")
    assert status == 404
    assert problem["detail"] == f"account not found: {UNKNOWN}"
    status, problem = world.api.get(
        "/tax/tax-forms", account_ids=[UNKNOWN, real, other], tax_year="2025"
    )
    assert (status, problem["detail"]) == (404, f"accounts not found: {UNKNOWN}, {other}")
    status, problem = world.api.get("/tax/tax-form-revisions", account_id=UNKNOWN, tax_year="2025")
    assert (status, problem["detail"]) == (404, f"account not found: {UNKNOWN}")
    # An identity id, or a profile id, is not an account id.
    identity = world.api.ok("GET", "/identity/identities")["items"][0]["id"]
    status, problem = world.api.get("/tax/tax-forms", account_ids=[identity], tax_year="2025")
    assert (status, problem["detail"]) == (404, f"account not found: {identity}")
    # The 404 comes after the request's own checks: a bad year is still the 400.
    status, problem = world.api.get("/tax/tax-forms", account_ids=[UNKNOWN], tax_year="25")
    assert status == 400
    # The real account answers, before February as after.
    assert world.api.ok("GET", "/tax/tax-forms", account_ids=[real], tax_year="2026") == {
        "tax_form_urls": []
    }


@pytest.mark.parametrize("operation_id", ["ListTaxForms", "ListTaxFormRevisions"])
def test_generated_inputs_never_give_a_server_error(direct, operation_id):
    no_server_errors(direct, operation_id)
