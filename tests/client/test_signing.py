"""Request signing: real ES256/EdDSA JWS verified with PyJWT, key checks at load, key files."""

from __future__ import annotations

import json
import logging
import os
import pickle
import stat
from datetime import datetime, timezone

import pytest
import requests
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt.api_jws import PyJWS
from jwt.exceptions import InvalidSignatureError

from paxos_nb import redact
from paxos_nb.errors import ConfigError, SigningKeyError
from paxos_nb.signing import RequestSigner, generate_keypair, inspect, load_private_key

ALGORITHMS = ["ES256", "EdDSA"]


def private_pem(key, fmt=ser.PrivateFormat.PKCS8, encryption=None) -> bytes:
    return key.private_bytes(ser.Encoding.PEM, fmt, encryption or ser.NoEncryption())


def public_pem(key) -> bytes:
    return key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)


def key_lines(pem: bytes | str) -> list[str]:
    """The base64 lines of a PEM: any one of them in a message would leak key material."""
    text = pem.decode() if isinstance(pem, bytes) else pem
    return [line for line in text.splitlines() if line and not line.startswith("-----")]


def assert_no_key_material(text: str, pem: bytes | str) -> None:
    for line in key_lines(pem):
        assert line not in text
        assert line[:24] not in text


def verify(token: str, public: str | bytes, algorithm: str) -> dict:
    return PyJWS().decode_complete(token, key=public, algorithms=[algorithm])


@pytest.fixture(params=ALGORITHMS)
def keyfile(request, tmp_path):
    path = tmp_path / f"paxos-{request.param}.pem"
    public = generate_keypair(path, algorithm=request.param)
    return path, public, request.param


# -- generate_keypair ---------------------------------------------------------------------------


def test_generate_keypair_writes_a_0600_private_key_and_returns_the_public_pem(keyfile):
    path, public, algorithm = keyfile
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in public
    private = ser.load_pem_private_key(path.read_bytes(), None)
    assert public_pem(private).decode() == public
    expected = ed25519.Ed25519PrivateKey if algorithm == "EdDSA" else ec.EllipticCurvePrivateKey
    assert isinstance(private, expected)


def test_generate_keypair_refuses_to_overwrite(tmp_path):
    path = tmp_path / "key.pem"
    generate_keypair(path)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        generate_keypair(path)
    assert "already exists" in str(info.value)
    assert "overwrite=True" in str(info.value)
    assert path.read_bytes() == before


def test_generate_keypair_overwrite_replaces_with_a_fresh_0600_file(tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("old")
    path.chmod(0o644)
    public = generate_keypair(path, algorithm="eddsa", overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_pem(ser.load_pem_private_key(path.read_bytes(), None)).decode() == public
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]  # no temp file left


def test_generate_keypair_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match="unsupported signing algorithm"):
        generate_keypair(tmp_path / "k.pem", algorithm="RS256")
    with pytest.raises(ConfigError, match="does not exist"):
        generate_keypair(tmp_path / "no" / "such" / "k.pem")


def test_generated_private_key_is_registered_for_redaction(tmp_path):
    path = tmp_path / "k.pem"
    generate_keypair(path)
    pem = path.read_text()
    scrubbed = redact.scrub(f"oops: {pem}")
    assert_no_key_material(scrubbed, pem)


# -- signing ------------------------------------------------------------------------------------


def test_signature_verifies_and_carries_the_paxos_header(keyfile):
    path, public, algorithm = keyfile
    signer = RequestSigner(path, kid="key-123")
    assert signer.algorithm == algorithm
    body = b'{"profile_id":"3f2a","crypto_network":"ETHEREUM"}'
    token = signer.sign("post", "/v2/transfer/deposit-addresses?x=1&y=2", body, now=1645503272)
    decoded = verify(token, public, algorithm)
    assert decoded["payload"] == body
    header = decoded["header"]
    assert header["alg"] == algorithm
    assert header["kid"] == "key-123"
    assert header["paxos.com/timestamp"] == "1645503272"  # a string, as in the docs' example
    assert header["paxos.com/request-method"] == "POST"
    assert header["paxos.com/request-path"] == "/v2/transfer/deposit-addresses?x=1&y=2"


def test_get_signs_an_empty_payload(keyfile):
    path, public, algorithm = keyfile
    signer = RequestSigner(path, "kid")
    token = signer.sign("GET", "/v2/profiles")
    assert verify(token, public, algorithm)["payload"] == b""
    assert token.split(".")[1] == ""


def test_another_key_does_not_verify(keyfile, tmp_path):
    path, _, algorithm = keyfile
    other = generate_keypair(tmp_path / "other.pem", algorithm=algorithm)
    token = RequestSigner(path, "kid").sign("GET", "/v2/profiles")
    with pytest.raises(InvalidSignatureError):
        verify(token, other, algorithm)


def test_timestamp_defaults_to_now_and_accepts_datetimes(keyfile):
    path, _, _ = keyfile
    signer = RequestSigner(path, "kid")
    before = int(datetime.now(timezone.utc).timestamp())
    stamp = int(inspect(signer.sign("GET", "/v2/profiles"))["header"]["paxos.com/timestamp"])
    assert before <= stamp <= before + 5
    when = datetime(2022, 2, 22, 4, 14, 32, tzinfo=timezone.utc)
    assert inspect(signer.sign("GET", "/v2/x", now=when))["header"]["paxos.com/timestamp"] == (
        "1645503272"
    )
    with pytest.raises(ConfigError, match="timezone-aware"):
        signer.sign("GET", "/v2/x", now=datetime(2022, 2, 22))


def test_sign_wants_the_full_path_and_bytes(keyfile):
    path, _, _ = keyfile
    signer = RequestSigner(path, "kid")
    with pytest.raises(ConfigError, match="/v2"):
        signer.sign("GET", "/profiles")
    with pytest.raises(ConfigError, match="exact bytes"):
        signer.sign("POST", "/v2/transfer/internal", {"amount": "1"})  # type: ignore[arg-type]
    assert inspect(signer.sign("POST", "/v2/x", "é"))["payload_length"] == 2  # UTF-8


def test_apply_signs_a_real_prepared_request_with_a_json_body(keyfile):
    path, public, algorithm = keyfile
    signer = RequestSigner(path, "kid-9")
    prepared = requests.Request(
        "POST",
        "https://api.sandbox.paxos.com/v2/transfer/internal",
        params={"note": "a b", "x": "1"},
        json={"from_profile_id": "p1", "to_profile_id": "p2", "amount": "1.5", "asset": "USD"},
    ).prepare()
    assert signer.apply(prepared) is prepared
    decoded = verify(prepared.headers["Paxos-Signature"], public, algorithm)
    assert decoded["payload"] == prepared.body  # exactly the bytes requests will send
    assert json.loads(decoded["payload"])["amount"] == "1.5"
    assert decoded["header"]["paxos.com/request-method"] == "POST"
    assert decoded["header"]["paxos.com/request-path"] == "/v2/transfer/internal?note=a+b&x=1"


def test_apply_encodes_a_str_body_as_the_bytes_sent(keyfile):
    path, public, algorithm = keyfile
    prepared = requests.Request(
        "PUT", "http://127.0.0.1:9/v2/profiles/p1", data='{"nickname": "café"}'
    ).prepare()
    RequestSigner(path, "kid").apply(prepared)
    assert prepared.body == '{"nickname": "café"}'.encode()
    assert prepared.headers["Content-Length"] == str(len(prepared.body))
    assert verify(prepared.headers["Paxos-Signature"], public, algorithm)["payload"] == (
        prepared.body
    )


def test_apply_on_get_and_as_a_requests_auth(keyfile):
    path, public, algorithm = keyfile
    signer = RequestSigner(path, "kid")
    prepared = requests.Request(
        "GET", "http://127.0.0.1:9/v2/transfer/transfers", params={"limit": 2}, auth=signer
    ).prepare()
    decoded = verify(prepared.headers["Paxos-Signature"], public, algorithm)
    assert decoded["payload"] == b""
    assert decoded["header"]["paxos.com/request-path"] == "/v2/transfer/transfers?limit=2"


def test_apply_refuses_a_streamed_body(keyfile):
    path, _, _ = keyfile
    prepared = requests.Request(
        "POST", "http://127.0.0.1:9/v2/x", data=(chunk for chunk in [b"a", b"b"])
    ).prepare()
    with pytest.raises(ConfigError, match="streamed"):
        RequestSigner(path, "kid").apply(prepared)


def test_repr_shows_kid_and_algorithm_only(keyfile):
    path, _, algorithm = keyfile
    signer = RequestSigner(path, "kid-1")
    assert repr(signer) == f"RequestSigner(kid='kid-1', algorithm='{algorithm}')"
    assert str(signer) == repr(signer)
    assert_no_key_material(repr(signer) + str(vars(signer).keys()), path.read_bytes())
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer)
    assert (
        signer.public_key_pem()
        == public_pem(ser.load_pem_private_key(path.read_bytes(), None)).decode()
    )


@pytest.mark.parametrize("kid", ["", "   ", " kid", "kid\n", None])
def test_kid_is_required_and_clean(keyfile, kid):
    path, _, _ = keyfile
    with pytest.raises(ConfigError, match="kid"):
        RequestSigner(path, kid)  # type: ignore[arg-type]


def test_inspect():
    key = ec.generate_private_key(ec.SECP256R1())
    token = RequestSigner(private_pem(key).decode(), "k").sign(
        "POST", "/v2/a", b"12345", now=1645503272
    )
    info = inspect(token)
    assert info["header"]["kid"] == "k"
    assert info["payload_length"] == 5
    assert info["signature_length"] == 64  # raw R||S, not DER
    assert info["timestamp"] == "2022-02-22T04:14:32+00:00"
    for bad in ["abc", "a.b", "!!.@@.##", 12]:
        with pytest.raises(ConfigError):
            inspect(bad)  # type: ignore[arg-type]


def test_no_key_material_in_debug_logs(keyfile, caplog):
    path, _, _ = keyfile
    with caplog.at_level(logging.DEBUG):
        signer = RequestSigner(path, "kid")
        signer.sign("GET", "/v2/profiles")
        logging.getLogger("paxos_nb").debug("key is %s", path.read_text())
    assert_no_key_material(caplog.text, path.read_bytes())


# -- loading: accepted forms ------------------------------------------------------------------


def test_accepted_key_forms(tmp_path):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    sec1 = private_pem(ec_key, ser.PrivateFormat.TraditionalOpenSSL)  # `openssl ecparam -genkey`
    assert b"BEGIN EC PRIVATE KEY" in sec1
    path = tmp_path / "sec1.pem"
    path.write_bytes(sec1)
    der = ec_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    openssh = private_pem(ed_key, ser.PrivateFormat.OpenSSH)
    for key in [sec1, sec1.decode(), path, str(path), der, openssh, ec_key, ed_key]:
        loaded = load_private_key(key)
        assert isinstance(loaded, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey))
    encrypted = private_pem(ec_key, encryption=ser.BestAvailableEncryption(b"correct horse"))
    assert isinstance(
        load_private_key(encrypted, passphrase="correct horse"), ec.EllipticCurvePrivateKey
    )
    # A passphrase for a plain key is harmless.
    assert isinstance(load_private_key(sec1, passphrase="unused"), ec.EllipticCurvePrivateKey)


def test_loaded_key_and_passphrase_are_registered_for_redaction():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = private_pem(key, encryption=ser.BestAvailableEncryption(b"pass-phrase-42"))
    load_private_key(pem, passphrase="pass-phrase-42")
    assert "pass-phrase-42" not in redact.scrub("passphrase=pass-phrase-42")
    assert_no_key_material(redact.scrub(pem.decode()), pem)
    plain = private_pem(key).decode()  # the same key in another form: registered too
    assert_no_key_material(redact.scrub(plain), plain)


# -- loading: every problem fails at load, says the fix, shows no key --------------------------


def _load_error(key, **kwargs) -> SigningKeyError:
    with pytest.raises(SigningKeyError) as info:
        load_private_key(key, **kwargs)
    err = info.value
    assert isinstance(err, ConfigError)
    assert isinstance(err, ValueError)
    assert err.__cause__ is None  # no library traceback chained on
    return err


def test_rsa_key_is_refused():
    pem = private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    err = _load_error(pem)
    assert "RSA" in str(err)
    assert "Paxos accepts ES256 (P-256) or EdDSA (Ed25519)" in str(err)
    assert "generate_keypair" in str(err)
    assert_no_key_material(str(err), pem)


@pytest.mark.parametrize(
    ("curve", "shown"), [(ec.SECP384R1(), "P-384"), (ec.SECP256K1(), "secp256k1")]
)
def test_other_curves_are_refused_by_name(curve, shown):
    pem = private_pem(ec.generate_private_key(curve))
    err = _load_error(pem)
    assert shown in str(err)
    assert "P-256" in str(err)
    assert_no_key_material(str(err), pem)


def test_ed448_is_refused():
    err = _load_error(private_pem(ed448.Ed448PrivateKey.generate()))
    assert "Ed448" in str(err)


def test_rsa_key_object_is_refused_too():
    err = _load_error(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert "RSA" in str(err)


@pytest.mark.parametrize(
    "secret", ["my-shared-hmac-secret-0123456789", "c2VjcmV0+/abc==", "k" * 300]
)
def test_an_hmac_secret_string_is_refused_without_echoing_it(secret):
    err = _load_error(secret)
    assert "HMAC" in str(err)
    assert secret not in str(err)
    assert "generate_keypair" in str(err)


def test_hmac_secret_bytes_are_refused():
    err = _load_error(b"my-shared-hmac-secret-0123456789")
    assert "HMAC" in str(err)
    assert "my-shared-hmac-secret" not in str(err)


def test_a_public_key_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    err = _load_error(public_pem(key))
    assert "PUBLIC" in str(err)
    assert "PRIVATE" in str(err)
    assert "Dashboard" in str(err)


def test_encrypted_key_without_passphrase():
    key = ed25519.Ed25519PrivateKey.generate()
    pem = private_pem(key, encryption=ser.BestAvailableEncryption(b"s3cret-pass"))
    err = _load_error(pem)
    assert "encrypted" in str(err)
    assert "passphrase" in str(err)
    assert_no_key_material(str(err), pem)


def test_wrong_passphrase():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = private_pem(key, encryption=ser.BestAvailableEncryption(b"right-pass"))
    err = _load_error(pem, passphrase="wrong-pass")
    assert "wrong passphrase" in str(err)
    assert "wrong-pass" not in str(err)
    assert "right-pass" not in str(err)


def test_files_that_are_missing_unreadable_or_not_keys_are_named(tmp_path):
    missing = tmp_path / "missing.pem"
    err = _load_error(missing)
    assert str(missing) in str(err)
    assert "does not exist" in str(err)
    err = _load_error(str(missing))
    assert str(missing) in str(err)
    err = _load_error(tmp_path)  # a folder
    assert str(tmp_path) in str(err)
    assert "cannot read" in str(err)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello, not a key\n")
    err = _load_error(notes)
    assert str(notes) in str(err)
    assert "not a PEM" in str(err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "locked.pem"
    generate_keypair(path)
    path.chmod(0)
    err = _load_error(path)
    assert str(path) in str(err)


def test_a_damaged_pem():
    # A generated key's PEM armour around a body that is no key: b"\0\0\0\0this is not a key".
    header, *_, footer = private_pem(ed25519.Ed25519PrivateKey.generate()).decode().splitlines()
    pem = f"{header}\nAAAAdGhpcyBpcyBub3QgYSBrZXk=\n{footer}\n"
    err = _load_error(pem)
    assert "could not be parsed" in str(err)
    assert "AAAAdGhpcyBpcyBub3QgYSBrZXk" not in str(err)


def test_wrong_types_are_refused():
    err = _load_error(12345)
    assert "int" in str(err)


def test_signer_fails_at_construction_not_at_first_request():
    pem = private_pem(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(SigningKeyError, match="P-384"):
        RequestSigner(pem, "kid")
