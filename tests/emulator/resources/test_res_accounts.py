"""Accounts and account members: create_profile makes a real profile (funded, traded and
moved by the existing routes), the status mirrors the primary identity, members are
appended, removed and (UpdateAccount) fully replaced by the documented rules; a first-party
client that sends identity_id is refused."""

from __future__ import annotations

import pytest
from identity_support import Recorder, person

from paxos_nb.emulator.routes._shared import FIRST_PARTY


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def _people(rec: Recorder, *ns: int) -> list[str]:
    return [rec.ok("POST", "/identity/identities", person(n))["id"] for n in ns]


def test_create_profile_makes_a_profile_the_money_routes_use(world):
    api = world.api
    owner = api.ok("POST", "/identity/identities", person(1))["id"]
    body = {
        "create_profile": True,
        "account": {
            "identity_id": owner,
            "ref_id": "acct-1",
            "type": "BROKERAGE",
            "description": "Billy",
        },
    }
    account = api.ok("POST", "/identity/accounts", body)
    pid = account["profile_id"]
    assert account["identity_id"] == owner
    assert account["summary_status"] == "APPROVED"
    profile = api.ok("GET", f"/profiles/{pid}")
    assert profile["account_id"] == account["id"]
    assert profile["type"] == "NORMAL"
    assert pid in {p["id"] for p in api.ok("GET", "/profiles")["items"]}
    api.ok("POST", f"/sandbox/profiles/{pid}/deposit", {"asset": "USD", "amount": "1000"})
    assert api.ok("GET", f"/profiles/{pid}/balances/USD")["available"] == "1000"
    moved = api.ok(
        "POST",
        "/transfer/internal",
        {
            "from_profile_id": pid,
            "to_profile_id": world.profile_id("default"),
            "amount": "250",
            "asset": "USD",
        },
    )
    world.clock.advance(2)
    assert api.ok("GET", f"/transfer/transfers/{moved['id']}")["status"] == "COMPLETED"
    assert api.ok("GET", f"/profiles/{pid}/balances/USD")["available"] == "750"
    assert world.ledger.audit()["USD"]["difference"] == 0
    status, problem = api.post("/identity/accounts", body)
    assert status == 409
    assert problem["meta"]["existing"]["id"] == account["id"]
    plain = api.ok("POST", "/identity/accounts", {"account": {"identity_id": owner}})
    assert "profile_id" not in plain
    assert plain["type"] == "BROKERAGE"


def test_the_status_mirrors_the_primary_identity(rec):
    owner = rec.ok("POST", "/identity/identities", person(2, passthrough=None))["id"]
    account = rec.ok("POST", "/identity/accounts", {"account": {"identity_id": owner}})
    assert account["summary_status"] == "PENDING"  # Paxos-run IDV: not decided yet
    approve = {"id_verification_status": "APPROVED", "sanctions_verification_status": "APPROVED"}
    rec.ok("PUT", f"/identity/identities/{owner}/sandbox-status", approve)
    assert rec.ok("GET", f"/identity/accounts/{account['id']}")["summary_status"] == "APPROVED"
    rec.ok(
        "PUT",
        f"/identity/identities/{owner}/sandbox-status",
        {"sanctions_verification_status": "DENIED"},
    )
    assert rec.ok("GET", f"/identity/accounts/{account['id']}")["summary_status"] == "DENIED"
    rec.ok(
        "PUT",
        f"/identity/identities/{owner}/sandbox-status",
        {"sanctions_verification_status": "APPROVED"},
    )
    got = rec.ok(
        "PUT", "/identity/accounts", {"account": {"id": account["id"]}, "set_user_disabled": True}
    )
    assert (got["user_disabled"], got["summary_status"]) == (True, "DISABLED")
    assert rec.ok("GET", "/identity/accounts")["items"][0]["summary_status"] == "DISABLED"


def test_members_add_delete_and_replace(rec):
    owner, joint, advisor, user = _people(rec, 3, 4, 5, 6)
    body = {
        "account": {
            "identity_id": owner,
            "members": [{"identity_id": joint, "roles": ["BENEFICIAL_OWNER"]}],
        }
    }
    account = rec.ok("POST", "/identity/accounts", body)
    (bo,) = account["members"]
    assert bo["identity_id"] == joint
    assert bo["id"]
    rec.kinds()
    added = rec.ok(
        "POST",
        "/identity/account-members",
        {
            "account_id": account["id"],
            "members": [{"identity_id": advisor, "roles": ["FINANCIAL_ADVISOR"]}],
        },
    )
    assert added["account_id"] == account["id"]
    assert added["members"][0]["identity_id"] == advisor
    assert rec.kinds() == ["account_member.created"]
    path = "/identity/accounts"
    # A full replace: the advisor out, an authorized user in, the joint owner kept (same id).
    members = [
        {"identity_id": joint, "roles": ["BENEFICIAL_OWNER", "FINANCIAL_ADVISOR"]},
        {"identity_id": user, "roles": ["AUTHORIZED_USER"]},
    ]
    got = rec.ok("PUT", path, {"account": {"id": account["id"], "members": members}})
    assert [(m["identity_id"], m["roles"]) for m in got["members"]] == [
        (joint, ["BENEFICIAL_OWNER", "FINANCIAL_ADVISOR"]),
        (user, ["AUTHORIZED_USER"]),
    ]
    assert got["members"][0]["id"] == bo["id"]
    assert rec.kinds() == ["account.updated"]
    drop_bo = {"account": {"id": account["id"], "members": [members[1]]}}
    assert "only the FINANCIAL_ADVISOR and AUTHORIZED_USER roles" in rec.fails(
        400, "PUT", path, drop_bo
    )
    empty = {"account": {"id": account["id"], "members": []}}
    assert "at least one member" in rec.fails(400, "PUT", path, empty)
    assert rec.ok("DELETE", f"/identity/account-members/{bo['id']}") == {}
    assert rec.kinds() == ["account_member.deleted"]
    left = rec.ok("GET", f"/identity/accounts/{account['id']}")["members"]
    assert [m["identity_id"] for m in left] == [user]
    assert "account member not found" in rec.fails(
        404, "DELETE", f"/identity/account-members/{bo['id']}"
    )


def _m(ident: str, *roles: str, **extra: str) -> dict:
    return {"identity_id": ident, "roles": list(roles), **extra}


@pytest.mark.parametrize(
    ("account", "status", "detail"),
    [
        (lambda o, p: {}, 400, "account.identity_id is required"),
        (lambda o, p: {"identity_id": "nope"}, 404, "account.identity_id: identity not found"),
        (lambda o, p: {"identity_id": o, "profile_id": p}, 400, "cannot be set by CreateAccount"),
        (
            lambda o, p: {"identity_id": o, "type": "SAVINGS"},
            400,
            "account.type invalid: 'SAVINGS'",
        ),
        (
            lambda o, p: {"identity_id": o, "members": [_m(o, "FINANCIAL_ADVISOR")]},
            400,
            "is the account's primary identity",
        ),
        (lambda o, p: {"identity_id": o, "members": [_m(p)]}, 400, "roles: give at least one"),
        (
            lambda o, p: {"identity_id": o, "members": [_m(p, "AUTHORIZED_USER", id="m")]},
            400,
            "member ids are assigned by Paxos",
        ),
        (
            lambda o, p: {"identity_id": o, "members": [_m(p, "AUTHORIZED_USER")] * 2},
            400,
            "already a member of this account",
        ),
    ],
)
def test_create_names_what_is_wrong(rec, account, status, detail):
    owner, other = _people(rec, 7, 8)
    body = {"account": account(owner, other)}
    assert detail in rec.fails(status, "POST", "/identity/accounts", body)


def test_update_rules(rec):
    (owner,) = _people(rec, 9)
    account = rec.ok(
        "POST",
        "/identity/accounts",
        {"account": {"identity_id": owner, "ref_id": "a", "metadata": {"k": "v"}}},
    )
    other = rec.ok("POST", "/identity/accounts", {"account": {"identity_id": owner, "ref_id": "b"}})
    path = "/identity/accounts"
    got = rec.ok(
        "PUT",
        path,
        {"account": {"id": account["id"], "description": "new", "metadata": {"x": "y"}}},
    )
    assert (got["description"], got["metadata"]) == ("new", {"x": "y"})  # metadata overwritten
    echoed = rec.ok("GET", f"/identity/accounts/{account['id']}")  # read, modify, write back
    assert (
        rec.ok("PUT", path, {"account": {**echoed, "description": "newer"}})["description"]
        == "newer"
    )
    assert "account.identity_id cannot be changed" in rec.fails(
        400, "PUT", path, {"account": {"id": account["id"], "identity_id": other["id"]}}
    )
    status, problem = rec.call("PUT", path, {"account": {"id": account["id"], "ref_id": "b"}})
    assert status == 409
    assert problem["meta"]["existing"]["id"] == other["id"]
    assert "account.id is required" in rec.fails(400, "PUT", path, {"account": {}})
    assert "account not found: nope" in rec.fails(404, "PUT", path, {"account": {"id": "nope"}})


def test_list_filters_by_primary_identity_and_pages(rec):
    a, b = _people(rec, 10, 11)
    made = [
        rec.ok("POST", "/identity/accounts", {"account": {"identity_id": owner}})["id"]
        for owner in (a, b, a)
    ]
    assert [x["id"] for x in rec.ok("GET", "/identity/accounts")["items"]] == made[::-1]
    assert [x["id"] for x in rec.ok("GET", f"/identity/accounts?identity_id={a}")["items"]] == [
        made[2],
        made[0],
    ]
    page = rec.ok("GET", "/identity/accounts?limit=2&order=ASC")
    rest = rec.ok(
        "GET", f"/identity/accounts?limit=2&order=ASC&page_cursor={page['next_page_cursor']}"
    )
    assert [x["id"] for x in page["items"] + rest["items"]] == made
    assert rec.fails(404, "GET", "/identity/accounts/nope") == "account not found: nope"


def test_a_first_party_client_may_not_send_identity_id(world):
    one_p = world.emu.add_client(first_party=True)
    token = world.api.session.post(
        world.emu.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": one_p.client_id,
            "client_secret": one_p.client_secret,
        },
        timeout=10,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    owner = world.api.ok("POST", "/identity/identities", person(12))["id"]  # a 3P client
    pid = world.profile_id("default")
    refused = [
        ("POST", "/identity/accounts", {"account": {"identity_id": owner}}),
        (
            "POST",
            "/identity/institution-members",
            {"institution_id": owner, "members": [{"identity_id": owner, "roles": ["GRANTOR"]}]},
        ),
        (
            "POST",
            f"/profiles/{pid}/orders",
            {
                "side": "BUY",
                "market": "BTCUSD",
                "type": "MARKET",
                "quote_amount": "5",
                "identity_id": owner,
                "identity_account_id": owner,
            },
        ),
        (
            "POST",
            "/transfer/deposit-addresses",
            {"profile_id": pid, "crypto_network": "ETHEREUM", "identity_id": owner},
        ),
    ]
    for method, path, body in refused:
        r = world.api.session.request(
            method, world.emu.api_url + path, json=body, headers=headers, timeout=10
        )
        assert r.status_code == 403, (path, r.text)
        assert r.json()["detail"] == FIRST_PARTY
    r = world.api.session.get(
        world.emu.api_url + f"/identity/accounts?identity_id={owner}", headers=headers, timeout=10
    )
    assert r.status_code == 403
    # Without identity_id a first-party client is served as before.
    r = world.api.session.post(
        world.emu.api_url + "/transfer/deposit-addresses",
        json={"profile_id": pid, "crypto_network": "ETHEREUM"},
        headers=headers,
        timeout=10,
    )
    assert r.status_code == 200, r.text
