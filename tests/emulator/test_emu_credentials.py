"""API credentials like the Dashboard: registry validation, list and delete over HTTP."""

from __future__ import annotations

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from paxos_nb.emulator import Emulator
from paxos_nb.emulator.registry import ALL_SCOPES

CREDS = "api_creds:read_credentials"
DELETE = "api_creds:delete_credentials"


def public_pem(private) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def listing(emu, headers, **params) -> requests.Response:
    return requests.get(
        f"{emu.api_url}/api-creds/credentials", headers=headers, params=params, timeout=10
    )


def test_add_client_record_and_masked_repr(fresh_emulator):
    ec_key, ed_key = ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate()
    c = fresh_emulator.add_client(
        client_id="analyst",
        client_secret="very-secret-value",
        scopes=["funding:read_profile"],
        ip_allowlist=["127.0.0.1/32", "10.0.0.0/8"],
        public_keys=[public_pem(ec_key), public_pem(ed_key)],
        nickname="Analyst",
    )
    assert c.client_id == "analyst"
    assert c.scopes == ("funding:read_profile",)
    assert len(c.key_ids) == 2
    assert len(set(c.key_ids)) == 2
    assert [k.algorithm for k in c.public_keys] == ["ES256", "EdDSA"]
    assert "very-secret-value" not in repr(c)
    assert "very-secret-value" not in str(c)
    assert "********" in repr(c)
    generated = fresh_emulator.add_client()
    assert generated.client_secret
    assert generated.scopes == ALL_SCOPES
    assert generated.client_secret not in repr(generated)
    assert fresh_emulator.demo_client.client_secret not in repr(fresh_emulator.demo_client)


def test_demo_secret_is_random_per_instance():
    with Emulator(rate_limits=False) as a, Emulator(rate_limits=False) as b:
        assert a.demo_client.client_secret != b.demo_client.client_secret
        assert a.port != b.port  # several emulators in one process


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": ["funding:read_profil"]}, "did you mean 'funding:read_profile'"),
        ({"ip_allowlist": ["10.0.0.1/8"]}, "did you mean 10.0.0.0/8"),
        ({"ip_allowlist": ["not-an-ip"]}, r"ip_allowlist\[0\]"),
        ({"ip_allowlist": "10.0.0.0/8"}, "list of CIDR"),
        ({"public_keys": ["garbage"]}, "not a PEM public key"),
        ({"enforce_request_signing": True}, "needs at least one active public key"),
        ({"client_id": "has space"}, "client_id"),
        ({"client_secret": "short"}, "client_secret"),
    ],
)
def test_bad_client_definitions(fresh_emulator, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fresh_emulator.add_client(**kwargs)


def test_rsa_and_other_curves_rejected(fresh_emulator):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ValueError, match="only ES256"):
        fresh_emulator.add_client(public_keys=[public_pem(rsa_key)])
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError, match="secp384r1"):
        fresh_emulator.add_client(public_keys=[public_pem(p384)])


def test_private_key_rejected_without_echoing_it(fresh_emulator):
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(ValueError, match="PRIVATE key") as info:
        fresh_emulator.add_client(public_keys=[pem])
    assert pem.splitlines()[1] not in str(info.value)


def test_duplicate_client_id(fresh_emulator):
    fresh_emulator.add_client(client_id="twice")
    with pytest.raises(ValueError, match="already exists"):
        fresh_emulator.add_client(client_id="twice")


def test_list_like_first_party_client(fresh_emulator, auth):
    emu = fresh_emulator
    key = ec.generate_private_key(ec.SECP256R1())
    c = emu.add_client(
        client_id="listed",
        client_secret="listed-secret-value",
        scopes=["funding:read_profile"],
        ip_allowlist=["127.0.0.1/32"],
        public_keys=[public_pem(key)],
        enforce_request_signing=False,
        nickname="Listed",
    )
    r = listing(emu, auth(CREDS, emu=emu))
    assert r.status_code == 200, r.text
    items = {item["client_id"]: item for item in r.json()["items"]}
    assert set(items) == {"paxos-nb-demo", "listed"}
    item = items["listed"]
    assert set(item) == {
        "id", "customer_id", "client_id", "client_public_keys", "status", "created_at",
        "updated_at", "nickname", "ip_allowlist", "enforce_request_signing", "client_scopes",
        "created_by",
    }  # fmt: skip
    assert item["client_scopes"] == ["funding:read_profile"]
    assert item["ip_allowlist"] == ["127.0.0.1/32"]
    assert item["status"] == "APPROVED"
    assert item["created_at"].endswith("Z")
    (pk,) = item["client_public_keys"]
    assert pk == {
        "id": c.key_ids[0],
        "client_id": "listed",
        "algorithm": "ES256",
        "public_key": public_pem(key),
        "active": True,
        "nickname": "key-1",
    }
    assert "listed-secret-value" not in r.text
    assert emu.demo_client.client_secret not in r.text
    assert "next_page_cursor" not in r.json()


def test_list_paging_and_filters(fresh_emulator, auth):
    emu = fresh_emulator
    for i in range(5):
        emu.add_client(client_id=f"page-{i}")
    headers = auth(CREDS, emu=emu)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"page_cursor": cursor} if cursor else {})}
        body = listing(emu, headers, **params).json()
        seen += [i["client_id"] for i in body["items"]]
        cursor = body.get("next_page_cursor")
        if not cursor:
            break
    assert sorted(seen) == sorted([f"page-{i}" for i in range(5)] + ["paxos-nb-demo"])
    assert len(seen) == len(set(seen))
    body = listing(emu, headers, client_ids=["page-1", "page-3"]).json()
    assert sorted(i["client_id"] for i in body["items"]) == ["page-1", "page-3"]
    r = listing(emu, headers, page_cursor="%%%not-a-cursor")
    assert r.status_code == 400
    assert r.json()["detail"] == "page_cursor token cannot be parsed"


def test_delete_revokes_and_disables(fresh_emulator, fetch_token, auth):
    emu = fresh_emulator
    c = emu.add_client(client_id="doomed", client_secret="doomed-secret-value")
    token = fetch_token(emu, ("funding:read_profile",), c).json()["access_token"]
    doomed = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{emu.api_url}/profiles", headers=doomed, timeout=10).status_code == 200
    r = requests.delete(
        f"{emu.api_url}/api-creds/credentials/doomed", headers=auth(DELETE, emu=emu), timeout=10
    )
    assert r.status_code == 200, r.text
    assert r.json()["credentials"]["client_id"] == "doomed"
    assert r.json()["credentials"]["status"] == "DISABLED"
    assert "doomed-secret-value" not in r.text
    # Its tokens stop working and it cannot get new ones.
    r = requests.get(f"{emu.api_url}/profiles", headers=doomed, timeout=10)
    assert r.status_code == 401
    assert fetch_token(emu, (), c).json()["error"] == "invalid_client"
    # Listed only among the disabled ones.
    headers = auth(CREDS, emu=emu)
    assert "doomed" not in listing(emu, headers).text
    assert "doomed" in listing(emu, headers, statuses="DISABLED").text
    r = requests.delete(
        f"{emu.api_url}/api-creds/credentials/doomed", headers=auth(DELETE, emu=emu), timeout=10
    )
    assert r.status_code == 404
