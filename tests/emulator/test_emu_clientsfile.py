"""``--clients FILE.json`` parsing: FirstPartyClient field names, aliases, precise errors."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from paxos_nb.emulator.clientsfile import ClientsFileError, read_clients_file


def write(tmp_path, data) -> str:
    path = tmp_path / "clients.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_listing_shape_with_keys(tmp_path):
    pem = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    entry = {
        "id": "4b1c0b9e-0000-4000-8000-000000000001",
        "client_id": "signer",
        "client_secret": "signer-secret",
        "nickname": "Signer",
        "client_scopes": ["transfer:write_deposit_address"],
        "ip_allowlist": ["192.168.0.0/16"],
        "client_public_keys": [
            {
                "id": "kid-1",
                "public_key": pem,
                "nickname": "laptop",
                "active": True,
                "algorithm": "EdDSA",
            }
        ],
        "enforce_request_signing": True,
        "status": "APPROVED",
        "created_at": "2024-01-01T00:00:00Z",
    }
    (client,) = read_clients_file(write(tmp_path, {"items": [entry]}))
    assert client.client_id == "signer"
    assert client.key_ids == ("kid-1",)
    assert client.public_keys[0].algorithm == "EdDSA"
    assert client.enforce_request_signing
    assert client.ip_allowlist == ("192.168.0.0/16",)
    assert client.id == entry["id"]


def test_aliases(tmp_path):
    data = [
        {
            "client_id": "a",
            "client_secret": "secret-aaa",
            "allowed_scopes": "funding:read_profile",
            "allowed_ips": ["127.0.0.1/32"],
        }
    ]
    (client,) = read_clients_file(write(tmp_path, data))
    assert client.scopes == ("funding:read_profile",)
    assert client.ip_allowlist == ("127.0.0.1/32",)


def test_two_names_for_one_field(tmp_path):
    data = [{"client_id": "a", "client_secret": "secret-aaa", "scopes": [], "client_scopes": []}]
    with pytest.raises(ClientsFileError, match="repeats another name"):
        read_clients_file(write(tmp_path, data))


def test_duplicate_and_reserved_ids(tmp_path):
    data = [{"client_id": "a", "client_secret": "secret-aaa"}] * 2
    with pytest.raises(ClientsFileError, match=r"entry 1 \(client_id 'a'\): client_id is already"):
        read_clients_file(write(tmp_path, data))
    data = [{"client_id": "paxos-nb-demo", "client_secret": "secret-aaa"}]
    with pytest.raises(ClientsFileError, match="already used"):
        read_clients_file(write(tmp_path, data), reserved=("paxos-nb-demo",))


def test_bad_key_names_the_field_as_written(tmp_path):
    data = [{"client_id": "a", "client_secret": "secret-aaa", "client_public_keys": ["nope"]}]
    with pytest.raises(ClientsFileError, match=r"field 'client_public_keys\[0\]\.public_key'"):
        read_clients_file(write(tmp_path, data))


def test_secret_never_in_errors(tmp_path):
    data = [{"client_id": "a", "client_secret": "hunter2-secret", "ip_allowlist": ["x"]}]
    with pytest.raises(ClientsFileError) as info:
        read_clients_file(write(tmp_path, data))
    assert "hunter2-secret" not in str(info.value)
    path = tmp_path / "broken.json"
    path.write_text('[{"client_id": "a", "client_secret": "hunter2-secret",}]')
    with pytest.raises(ClientsFileError, match="not valid JSON") as info:
        read_clients_file(path)
    assert "hunter2-secret" not in str(info.value)
