"""Issue 17: what a spec-driven fuzzer found, each kept as a named regression test.

Before the fix: a string field holding an object or a list crashed five money-moving writes
(500 ``TypeError: unhashable type``); an encoded ``?`` in a path segment was split as if it
began a query; a control character or TRACE got an HTML page; a JSON body sent as
``text/plain`` was applied. Beyond the app: uvicorn's own answers (a malformed request, a
body too large) are problem+json too, and nothing reaches stderr.
"""

from __future__ import annotations

import json
import logging
import socket

import pytest

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.emulator.fmt import fmt_ts, parse_ts
from paxos_nb.emulator.problems import Problem

# The five writes of the issue, with a body each that passes validation.
WRITES = {
    "CreateInternalTransfer": (
        "/transfer/internal",
        {"from_profile_id": "{pid}", "to_profile_id": "{other}", "amount": "1", "asset": "USD"},
    ),
    "CreateCryptoWithdrawal": (
        "/transfer/crypto-withdrawals",
        {
            "profile_id": "{pid}",
            "asset": "USDG",
            "amount": "1",
            "crypto_network": "ETHEREUM",
            "destination_address": "0x" + "12" * 20,
        },
    ),
    "CreateDepositAddress": (
        "/transfer/deposit-addresses",
        {"profile_id": "{pid}", "crypto_network": "ETHEREUM"},
    ),
    "CreateSandboxDeposit": ("/sandbox/profiles/{pid}/deposit", {"asset": "USD", "amount": "1"}),
    "CreateQuoteExecution": (
        "/profiles/{pid}/quote-executions",
        {"quote_id": "00000000-0000-0000-0000-000000000000", "quote_amount": "1"},
    ),
}


def _string_fields(operation_id: str) -> list[str]:
    body = schemas.resolve(schemas.for_operation(operation_id).body)
    return sorted(
        name for name, s in body["properties"].items() if schemas.resolve(s).get("type") == "string"
    )


CASES = [
    pytest.param(op_id, field, wrong, id=f"{op_id}-{field}-{type(wrong).__name__}")
    for op_id in WRITES
    for field in _string_fields(op_id)
    for wrong in ({"x": 1}, ["x"])
]


@pytest.fixture
def ids(emulator, http, auth):
    found = http.get(f"{emulator.api_url}/profiles", headers=auth(), timeout=10).json()["items"]
    by_name = {p["nickname"]: p["id"] for p in found}
    return {"pid": by_name["default"], "other": by_name["trading"]}


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    return {k: _fill(v, ids) for k, v in value.items()}


@pytest.mark.parametrize(("operation_id", "field", "wrong"), CASES)
def test_issue17_a_string_field_given_an_object_or_list_is_a_400_naming_it(
    emulator, http, auth, ids, operation_id, field, wrong
):
    path, body = WRITES[operation_id]
    before = emulator.ledger.audit()
    sent = {**_fill(body, ids), field: wrong}
    r = http.post(emulator.api_url + _fill(path, ids), json=sent, headers=auth(), timeout=10)
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert detail.startswith(f"{field} invalid: "), detail
    shown = "an object" if isinstance(wrong, dict) else "a list"
    assert detail.endswith(f"got {shown}") or "must be positive decimal" in detail, detail
    assert emulator.ledger.audit() == before


def test_issue17_the_five_writes_accept_their_valid_bodies(emulator, http, auth, ids):
    """The bodies above are valid: the 400s come from the wrong field, not the rest."""
    for operation_id, (path, body) in WRITES.items():
        r = http.post(
            emulator.api_url + _fill(path, ids), json=_fill(body, ids), headers=auth(), timeout=10
        )
        expected = 404 if operation_id == "CreateQuoteExecution" else 200  # no such quote
        assert r.status_code == expected, (operation_id, r.text)


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/profiles/%3Fx/balances/BTC", "profile not found: ?x"),
        ("/transfer/transfers/%3F", "transfer not found: ?"),
        ("/profiles/{pid}/orders/%3F", "order not found: ?"),
    ],
)
def test_issue17_an_encoded_question_mark_stays_in_its_segment(
    emulator, http, auth, ids, path, detail
):
    r = http.get(emulator.api_url + _fill(path, ids), headers=auth(), timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (404, "application/problem+json")
    assert r.json()["detail"] == detail


def test_issue17_a_control_character_in_the_path_is_a_problem(emulator, http, auth):
    r = http.get(f"{emulator.api_url}/profiles/%0A/balances", headers=auth(), timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (400, "application/problem+json")
    assert r.json()["detail"] == (
        "path parameter profile_id invalid: control character '\\n' in '\\n'"
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/profiles", "GET, POST"),
        ("PATCH", "/profiles/{pid}", "GET, PUT"),
        ("OPTIONS", "/transfer/internal", "POST"),
        ("DELETE", "/transfer/transfers", "GET"),
        ("HEAD", "/profiles/{pid}/orders/x", "GET, DELETE"),
    ],
)
def test_issue17_other_methods_are_405_problems_allowing_only_the_real_ones(
    emulator, http, auth, ids, method, path, allow
):
    r = http.request(method, emulator.api_url + _fill(path, ids), headers=auth(), timeout=10)
    assert r.status_code == 405
    assert r.headers["Allow"] == allow
    if method != "HEAD":
        assert r.headers["Content-Type"] == "application/problem+json"
        assert r.json()["title"] == "Method Not Allowed"
    concrete = _fill(path, ids)
    templates = [o for o in catalog.operations() if o.path_regex().fullmatch(concrete)]
    assert sorted(o.method for o in templates) == sorted(allow.split(", "))


def test_issue17_a_json_body_sent_as_text_plain_is_415_and_not_applied(emulator, http, auth, ids):
    path, body = WRITES["CreateSandboxDeposit"]
    before = emulator.ledger.audit()
    r = http.post(
        emulator.api_url + _fill(path, ids),
        data=json.dumps(body),
        headers={**auth(), "Content-Type": "text/plain"},
        timeout=10,
    )
    assert (r.status_code, r.headers["Content-Type"]) == (415, "application/problem+json")
    assert "Content-Type: application/json" in r.json()["detail"]
    assert emulator.ledger.audit() == before


# -- below the app: uvicorn's own answers -----------------------------------------------
def _raw(emu, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v2/profiles/\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v2/profiles/a b HTTP/1.1\r\nHost: x\r\n\r\n",
        b"NOT HTTP\r\n\r\n",
        b"GET /v2/profiles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /v2/profiles HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["control-char", "space", "garbage", "bad-length", "bad-chunk"],
)
def test_a_request_uvicorn_cannot_parse_gets_a_problem(fresh_emulator, request_bytes, capfd):
    answer = _raw(fresh_emulator, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"content-type: application/problem+json" in head
    problem = json.loads(body)
    assert problem["status"] == 400
    assert problem["detail"].startswith("malformed HTTP request")
    assert capfd.readouterr().err == ""  # a client's mistake is not the server's warning


def test_a_body_over_the_limit_is_413_and_the_connection_closes(fresh_emulator, auth):
    from paxos_nb.emulator.app import MAX_BODY

    emu = fresh_emulator
    header = auth(emu=emu)["Authorization"]
    head = (
        f"POST /v2/transfer/internal HTTP/1.1\r\nHost: x\r\nAuthorization: {header}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n"
    )
    answer = _raw(emu, head.encode() + b" " * 1024)  # the rest is never sent, nor waited for
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"application/problem+json" in rest
    assert b"larger than 1048576 bytes" in rest
    assert emu.stats()["responses"]["413"] == 1


def test_a_client_leaving_mid_body_logs_no_error(fresh_emulator, caplog):
    with caplog.at_level(logging.WARNING):
        with socket.create_connection(("127.0.0.1", fresh_emulator.port), timeout=10) as s:
            s.sendall(
                b"POST /v2/transfer/internal HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
            )
        # the next request is served normally
        assert (
            _raw(fresh_emulator, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[:12]
            == b"HTTP/1.1 200"
        )
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# -- found by the suite's own fuzz campaign (tests/reliability/test_fuzz.py) -----------------
def test_fuzz_found_a_timestamp_that_leaves_utc_after_its_offset(emulator, http, auth):
    """Was 500 ``OverflowError: date value out of range`` (``-m slow``, seed 3343320415)."""
    r = http.get(
        f"{emulator.api_url}/transfer/deposit-addresses",
        params={"created_at.gte": "0001-01-01T00:00:00+00:01"},
        headers=auth(),
        timeout=10,
    )
    assert (r.status_code, r.headers["Content-Type"]) == (400, "application/problem+json")
    assert r.json()["detail"].startswith("query parameter created_at.gte invalid: expected an RFC")
    with pytest.raises(Problem, match=r"created_at\.gte invalid: '9999-12-31T23:59:59-01:00'"):
        parse_ts("9999-12-31T23:59:59-01:00", "created_at.gte")  # the handlers' own parser too


def test_fuzz_found_years_below_1000_written_with_three_digits():
    """CreateIdentity echoed a year-389 date-time as ``389-04-12T...``, and candles before
    year 1000 were dated ``999-12-31T...``: not RFC 3339 (the catalog-schema fuzz tests)."""
    moment = parse_ts("0389-04-12T04:13:16.000258Z", "at")
    assert fmt_ts(moment) == "0389-04-12T04:13:16.000258Z"
    assert fmt_ts(moment.replace(microsecond=0)) == "0389-04-12T04:13:16Z"


def test_fuzz_found_a_list_for_the_asset_of_a_fee_quote(emulator, http, auth):
    """Was 500 ``TypeError: unhashable type: 'list'`` (the campaign run against main)."""
    body = {"asset": ["USDG"], "crypto_network": "ETHEREUM", "destination_address": "0x" + "1" * 40}
    r = http.post(
        f"{emulator.api_url}/transfer/fees/crypto-withdrawal", json=body, headers=auth(), timeout=10
    )
    assert (r.status_code, r.json()["detail"]) == (
        400,
        "asset invalid: expected a string, got a list",
    )
