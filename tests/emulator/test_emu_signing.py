"""Paxos-Signature: compact JWS over the exact body, verified server-side with PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from paxos_nb.emulator import Emulator

SCOPES = ["transfer:write_internal_transfer", "funding:read_profile"]


def pem_of(private) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(
    private,
    kid: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    alg: str = "ES256",
    stamp: int | str | None = None,
) -> str:
    """What a Paxos client does: JWS with the body bytes as payload."""
    headers = {
        "kid": kid,
        "paxos.com/timestamp": str(int(time.time()) if stamp is None else stamp),
        "paxos.com/request-method": method,
        "paxos.com/request-path": path,
    }
    return jwt.api_jws.encode(body, private, algorithm=alg, headers=headers)


@pytest.fixture(scope="module")
def keys():
    return {
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
    }


@pytest.fixture(scope="module")
def signer(emulator: Emulator, keys):
    """A client enforcing signatures with one ES256 and one EdDSA key."""
    client = emulator.add_client(
        client_id="signer",
        client_secret="signer-secret-123",
        scopes=SCOPES,
        public_keys=[
            pem_of(keys["ES256"]),
            {"public_key": pem_of(keys["EdDSA"]), "nickname": "ed"},
        ],
        enforce_request_signing=True,
    )
    r = requests.post(
        emulator.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "signer",
            "client_secret": "signer-secret-123",
        },
        timeout=10,
    )
    token = r.json()["access_token"]
    kids = dict(zip(("ES256", "EdDSA"), client.key_ids, strict=True))
    return client, token, kids


def call(emulator, token, method, path, body=b"", signature=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body:
        headers["Content-Type"] = "application/json"
    if signature is not None:
        headers["Paxos-Signature"] = signature
    return requests.request(method, emulator.url + path, data=body, headers=headers, timeout=10)


def detail(r: requests.Response) -> str:
    assert r.headers["Content-Type"] == "application/problem+json"
    return r.json()["detail"]


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_signed_get_accepted(emulator, keys, signer, alg):
    _, token, kids = signer
    path = "/v2/profiles?limit=2&order=ASC"
    r = call(
        emulator, token, "GET", path, signature=sign(keys[alg], kids[alg], "GET", path, alg=alg)
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_signed_post_passes_the_signature_layer(emulator, keys, signer, alg):
    _, token, kids = signer
    body = json.dumps({"ref_id": f"sig-{alg}", "amount": "1"}).encode()
    path = "/v2/transfer/internal"
    sig = sign(keys[alg], kids[alg], "POST", path, body, alg=alg)
    r = call(emulator, token, "POST", path, body, sig)
    # Past auth: the handler answers (its own validation) or 501; never 401/403 from signing.
    assert r.status_code not in (401, 403), r.text


def test_integer_timestamp_accepted(emulator, keys, signer):
    _, token, kids = signer
    path = "/v2/profiles"
    sig = sign(keys["ES256"], kids["ES256"], "GET", path, stamp=int(time.time()))
    headers = jwt.get_unverified_header(sig)
    assert isinstance(headers["paxos.com/timestamp"], str)
    # PyJWT keeps what we give it: build one with an int timestamp too.
    sig = jwt.api_jws.encode(
        b"",
        keys["ES256"],
        algorithm="ES256",
        headers={**headers, "paxos.com/timestamp": int(time.time())},
    )
    assert call(emulator, token, "GET", path, signature=sig).status_code == 200


def test_unsigned_rejected(emulator, signer):
    _, token, _ = signer
    r = call(emulator, token, "GET", "/v2/profiles")
    assert r.status_code == 401
    assert "missing Paxos-Signature" in detail(r)


def test_unknown_kid_is_403(emulator, keys, signer):
    _, token, _ = signer
    sig = sign(keys["ES256"], "no-such-kid", "GET", "/v2/profiles")
    r = call(emulator, token, "GET", "/v2/profiles", signature=sig)
    assert r.status_code == 403
    assert "unknown" in detail(r)


def test_inactive_kid_is_403(emulator):
    key = ec.generate_private_key(ec.SECP256R1())
    c = emulator.add_client(
        client_id="inactive-key",
        scopes=SCOPES,
        public_keys=[
            {"public_key": pem_of(key), "active": False},
            pem_of(ec.generate_private_key(ec.SECP256R1())),
        ],
        enforce_request_signing=True,
    )
    token = requests.post(
        emulator.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": c.client_id,
            "client_secret": c.client_secret,
        },
        timeout=10,
    ).json()["access_token"]
    r = call(
        emulator,
        token,
        "GET",
        "/v2/profiles",
        signature=sign(key, c.key_ids[0], "GET", "/v2/profiles"),
    )
    assert r.status_code == 403
    assert "inactive" in detail(r)


def test_wrong_key_rejected(emulator, signer):
    _, token, kids = signer
    other = ec.generate_private_key(ec.SECP256R1())
    r = call(
        emulator,
        token,
        "GET",
        "/v2/profiles",
        signature=sign(other, kids["ES256"], "GET", "/v2/profiles"),
    )
    assert r.status_code == 401
    assert "does not verify" in detail(r)


def test_edited_body_rejected(emulator, keys, signer):
    _, token, kids = signer
    path = "/v2/transfer/internal"
    signed = json.dumps({"ref_id": "edit", "amount": "1"}).encode()
    sent = json.dumps({"ref_id": "edit", "amount": "1000"}).encode()
    r = call(
        emulator,
        token,
        "POST",
        path,
        sent,
        sign(keys["ES256"], kids["ES256"], "POST", path, signed),
    )
    assert r.status_code == 401
    assert "payload differs" in detail(r)


def test_same_json_other_bytes_rejected(emulator, keys, signer):
    # Exact bytes, not equal JSON: re-serializing with other spacing breaks the signature.
    _, token, kids = signer
    path = "/v2/transfer/internal"
    signed = b'{"ref_id": "x", "amount": "1"}'
    sent = b'{"ref_id":"x","amount":"1"}'
    r = call(
        emulator,
        token,
        "POST",
        path,
        sent,
        sign(keys["ES256"], kids["ES256"], "POST", path, signed),
    )
    assert r.status_code == 401


def test_stale_timestamp_rejected(emulator, keys, signer):
    _, token, kids = signer
    stamp = int(time.time()) - 31 * 60
    sig = sign(keys["ES256"], kids["ES256"], "GET", "/v2/profiles", stamp=stamp)
    r = call(emulator, token, "GET", "/v2/profiles", signature=sig)
    assert r.status_code == 401
    assert "minutes old" in detail(r)


def test_29_minutes_old_accepted(emulator, keys, signer):
    _, token, kids = signer
    sig = sign(
        keys["ES256"], kids["ES256"], "GET", "/v2/profiles", stamp=int(time.time()) - 29 * 60
    )
    assert call(emulator, token, "GET", "/v2/profiles", signature=sig).status_code == 200


def test_alg_none_rejected(emulator, signer):
    _, token, kids = signer
    header = {
        "alg": "none",
        "kid": kids["ES256"],
        "paxos.com/timestamp": str(int(time.time())),
        "paxos.com/request-method": "GET",
        "paxos.com/request-path": "/v2/profiles",
    }
    sig = f"{b64(json.dumps(header).encode())}.."
    r = call(emulator, token, "GET", "/v2/profiles", signature=sig)
    assert r.status_code == 401
    assert "'none' is not accepted" in detail(r)


def test_hs256_with_public_key_as_secret_rejected(emulator, keys, signer):
    # The classic algorithm-confusion attack: HMAC keyed with the (public) PEM text.
    client, token, kids = signer
    pem = client.key(kids["ES256"]).public_key.encode()
    header = {
        "alg": "HS256",
        "kid": kids["ES256"],
        "paxos.com/timestamp": str(int(time.time())),
        "paxos.com/request-method": "GET",
        "paxos.com/request-path": "/v2/profiles",
    }
    signing_input = f"{b64(json.dumps(header).encode())}.".encode()
    mac = hmac.new(pem, signing_input, hashlib.sha256).digest()
    sig = signing_input.decode() + "." + b64(mac)
    r = call(emulator, token, "GET", "/v2/profiles", signature=sig)
    assert r.status_code == 401
    assert "'HS256' is not accepted" in detail(r)


@pytest.mark.parametrize(
    "signed_path",
    ["/v2/profiles?limit=3", "/profiles?limit=2", "/v2/profiles", "/v2/profiles?limit=2&x=1"],
)
def test_wrong_path_or_query_rejected(emulator, keys, signer, signed_path):
    _, token, kids = signer
    sig = sign(keys["ES256"], kids["ES256"], "GET", signed_path)
    r = call(emulator, token, "GET", "/v2/profiles?limit=2", signature=sig)
    assert r.status_code == 401
    assert "request-path" in detail(r)


def test_wrong_method_rejected(emulator, keys, signer):
    _, token, kids = signer
    sig = sign(keys["ES256"], kids["ES256"], "POST", "/v2/profiles")
    r = call(emulator, token, "GET", "/v2/profiles", signature=sig)
    assert r.status_code == 401
    assert "request-method" in detail(r)


def test_garbage_signature_rejected(emulator, signer):
    _, token, _ = signer
    r = call(emulator, token, "GET", "/v2/profiles", signature="not.a.jws!")
    assert r.status_code == 401


def test_public_endpoint_ignores_signing(emulator, signer):
    _, token, _ = signer
    r = call(emulator, token, "GET", "/v2/markets")
    assert r.status_code != 401


def test_signing_comes_after_ip_and_before_scope(emulator, keys):
    key = ec.generate_private_key(ec.SECP256R1())
    refused = emulator.add_client(
        client_id="sig-ten-net",
        scopes=SCOPES,
        ip_allowlist=["10.0.0.0/8"],
        public_keys=[pem_of(key)],
        enforce_request_signing=True,
    )
    allowed = emulator.add_client(
        client_id="sig-scope",
        scopes=SCOPES,
        public_keys=[pem_of(key)],
        enforce_request_signing=True,
    )

    def token(c):
        data = {
            "grant_type": "client_credentials",
            "client_id": c.client_id,
            "client_secret": c.client_secret,
        }
        return requests.post(emulator.token_url, data=data, timeout=10).json()["access_token"]

    # Unsigned + refused IP: the IP layer answers first.
    r = call(emulator, token(refused), "GET", "/v2/profiles")
    assert r.status_code == 403
    assert "allowlist" in detail(r)
    # Unsigned + missing scope: the signing layer answers before the scope layer.
    r = call(emulator, token(allowed), "GET", "/v2/orders")
    assert r.status_code == 401
    # Signed + missing scope: now the scope layer.
    sig = sign(key, allowed.key_ids[0], "GET", "/v2/orders")
    r = call(emulator, token(allowed), "GET", "/v2/orders", signature=sig)
    assert r.status_code == 403
    assert "insufficient scopes" in detail(r)
