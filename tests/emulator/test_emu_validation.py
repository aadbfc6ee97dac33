"""Request validation: path, query and body checked from the catalog before any handler runs.

Every refusal is a problem+json 400 (415 for a body that is not JSON) whose detail names the
field and what it expected; nothing reaches a handler, so nothing changes in the ledger.
"""

from __future__ import annotations

import json

import pytest

from paxos_nb import catalog
from paxos_nb.emulator import validation
from paxos_nb.emulator.call import Query
from paxos_nb.emulator.problems import Problem


@pytest.fixture
def call(emulator, http, auth):
    """``call(method, path, **requests_kwargs) -> (status, problem or body)`` with every scope."""

    def send(method: str, path: str, **kwargs):
        headers = {**auth(), **kwargs.pop("headers", {})}
        r = http.request(method, emulator.api_url + path, headers=headers, timeout=10, **kwargs)
        if r.status_code >= 400:
            assert r.headers["Content-Type"] == "application/problem+json", r.text
        return r.status_code, r.json()

    return send


@pytest.fixture
def pid(call):
    return call("GET", "/profiles/default")[1]["id"]


@pytest.fixture
def other(call):
    found = call("GET", "/profiles", params={"nickname": "trading"})[1]["items"]
    return next(p["id"] for p in found if p["nickname"] == "trading")


def _refused(result, status: int = 400) -> str:
    code, body = result
    assert code == status, body
    assert body["status"] == status
    return body["detail"]


# -- query parameters ---------------------------------------------------------------
def test_query_values_are_coerced_by_their_declared_type(call):
    assert call("GET", "/transfer/transfers", params={"limit": "2"})[0] == 200
    detail = _refused(call("GET", "/transfer/transfers", params={"limit": "two"}))
    assert detail == "query parameter limit invalid: expected an integer, got 'two'"
    detail = _refused(call("GET", "/transfer/transfers", params={"limit": "1.5"}))
    assert "expected an integer, got '1.5'" in detail
    detail = _refused(call("GET", "/transfer/transfers", params={"limit": str(2**31)}))
    assert "query parameter limit invalid: 2147483648 is out of range" in detail
    detail = _refused(call("GET", "/profiles", params={"order": "SIDEWAYS"}))
    assert detail == "query parameter order invalid: expected one of DESC, ASC, got 'SIDEWAYS'"
    detail = _refused(call("GET", "/transfer/transfers", params={"created_at.gte": "yesterday"}))
    assert detail == (
        "query parameter created_at.gte invalid: expected an RFC 3339 timestamp such as "
        "2006-01-02T15:04:05Z, got 'yesterday'"
    )
    detail = _refused(
        call("GET", "/transfer/transfers", params={"created_at.gte": "2026-02-30T00:00:00Z"})
    )
    assert "created_at.gte invalid" in detail  # the right shape, but no such day


def test_boolean_query_values_follow_go_parse_bool():
    op = next(o for o in catalog.operations() if any(p["type"] == "boolean" for p in o.params))
    name = next(p["name"] for p in op.params if p["type"] == "boolean")
    for text in ("true", "1", "T", "TRUE", "False", "0", "f"):
        validation.check(op, _path_values(op), Query(f"{name}={text}"), b"", None)
    with pytest.raises(Problem, match=f"query parameter {name} invalid: expected true or false"):
        validation.check(op, _path_values(op), Query(f"{name}=yes"), b"", None)


def _path_values(op) -> dict[str, str]:
    return {p["name"]: "x" for p in op.params if p["in"] == "path"}


def test_array_query_parameters_repeat_their_key_and_each_value_is_checked(call):
    ok = call(
        "GET", "/transfer/transfers", params=[("statuses", "PENDING"), ("statuses", "FAILED")]
    )
    assert ok[0] == 200
    detail = _refused(
        call("GET", "/transfer/transfers", params=[("statuses", "PENDING"), ("statuses", "DONE")])
    )
    assert detail == (
        "query parameter statuses[1] invalid: expected one of PENDING, COMPLETED, FAILED, "
        "got 'DONE'"
    )


def test_a_single_valued_parameter_given_twice_is_refused(call):
    detail = _refused(call("GET", "/transfer/transfers", params=[("limit", "1"), ("limit", "2")]))
    assert detail == "query parameter limit invalid: given 2 times; it takes one value"


def test_an_unknown_query_parameter_names_the_closest_known_one(call):
    detail = _refused(call("GET", "/transfer/transfers", params={"limt": "5"}))
    assert detail == (
        "query parameter limt is not a parameter of GET /v2/transfer/transfers; did you mean limit?"
    )
    detail = _refused(call("GET", "/markets/BTCUSD/ticker", params={"x": "1"}))
    assert detail == (
        "query parameter x is not a parameter of GET /v2/markets/{market}/ticker, "
        "which takes no query parameters"
    )
    detail = _refused(call("GET", "/profiles/default", params={"zzzzzz": "1"}))
    assert detail.endswith("its parameters are include_deactivated")


def test_a_required_query_parameter_must_be_given(call):
    assert _refused(call("GET", "/quotes")) == "query parameter markets is required"
    assert _refused(call("GET", "/quotes", params={"markets": ""})) == (
        "query parameter markets is required"
    )


def test_empty_query_values_mean_not_given(call):
    assert call("GET", "/transfer/transfers", params={"limit": "", "order": ""})[0] == 200


# -- path parameters ----------------------------------------------------------------
def test_a_path_enum_outside_its_values_is_not_found(call):
    detail = _refused(call("GET", "/markets/DOGEUSD/ticker"), 404)
    assert detail.startswith("market not found: DOGEUSD; path parameter market takes one of ETHEUR")


def test_a_control_character_in_a_path_parameter_is_refused(call):
    detail = _refused(call("GET", "/profiles/ab%0Acd"))
    assert detail == "path parameter profile_id invalid: control character '\\n' in 'ab\\ncd'"
    assert "control character '\\x7f'" in _refused(call("GET", "/transfer/transfers/%7F"))


# -- bodies ---------------------------------------------------------------------------
def _internal(pid: str, **fields):
    return {"from_profile_id": pid, "to_profile_id": pid, "amount": "1", "asset": "USD", **fields}


def test_body_types_are_checked_and_the_field_named(call, pid):
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, asset={"a": 1})))
    assert detail == "asset invalid: expected a string, got an object"
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, metadata={"k": 1})))
    assert detail == "metadata.k invalid: expected a string, got the number 1"
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, ref_id=True)))
    assert detail == "ref_id invalid: expected a string, got the boolean true"


def test_a_number_where_a_decimal_string_belongs_is_refused_with_the_fix(call, pid):
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, amount=12.5)))
    assert detail == (
        "amount invalid: invalid amount '12.5': must be positive decimal "
        'sent as a string, such as "12.5"'
    )
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, amount="1e5")))
    assert detail == "amount invalid: invalid amount '1e5': must be positive decimal"


def test_formats_are_named(call, pid):
    order = {"side": "BUY", "market": "BTCUSD", "type": "LIMIT", "expiration_date": "tomorrow"}
    detail = _refused(call("POST", f"/profiles/{pid}/orders", json=order))
    assert detail == (
        'expiration_date invalid: expected an integer in a string, such as "1767225600000", '
        "got 'tomorrow'"
    )


def test_required_body_fields_are_named(call, pid):
    body = _internal(pid)
    del body["asset"], body["amount"]
    assert _refused(call("POST", "/transfer/internal", json=body)) == (
        "amount and asset are required"
    )
    withdrawal = {
        "profile_id": pid,
        "asset": "USDG",
        "amount": "1",
        "crypto_network": "ETHEREUM",
        "destination_address": "0x" + "12" * 20,
        "beneficiary": {"person_details": {"first_name": "Ada"}},
    }
    detail = _refused(call("POST", "/transfer/crypto-withdrawals", json=withdrawal))
    assert detail == "beneficiary.person_details.last_name is required"


def test_an_unknown_body_field_names_the_closest_known_one(call, pid):
    detail = _refused(call("POST", "/transfer/internal", json=_internal(pid, ref_idd="x")))
    assert detail == "ref_idd is not a field of the request body; did you mean ref_id?"
    nested = {
        "ref_id": "v-2",
        "source_asset": "USD",
        "destination_asset": "USDP",
        "source_amount": "1",
        "destination": {"profile": {"profile_idd": pid}},
    }
    detail = _refused(call("POST", "/orchestration/orchestrations", json=nested))
    assert detail == (
        "destination.profile.profile_idd is not a field of destination.profile; "
        "did you mean destination.profile.profile_id?"
    )


def test_an_unknown_body_field_that_is_no_typo_is_ignored_as_paxos_does(call, pid, other):
    """protobuf JSON discards unknown members (Paxos adds fields); the client draws the same
    line (paxos_nb.request_checks): only a near miss of a declared name is refused."""
    body = _internal(pid, to_profile_id=other, ref_id="v-unknown")
    status, first = call("POST", "/transfer/internal", json={**body, "a_field_from_2027": "x"})
    assert status == 200, first
    assert "a_field_from_2027" not in first
    again = {**body, "another_new_field": {"nested": [1]}}
    status, second = call("POST", "/transfer/internal", json=again)  # the same transfer again
    assert (status, second["meta"]["existing"]["id"]) == (409, first["id"])
    nested = {
        "ref_id": "v-3",
        "source_asset": "USD",
        "destination_asset": "USD",
        "source_amount": "1",
        "destination": {"profile": {"profile_id": pid, "routing": "new"}},
    }
    assert "routing" not in _refused(call("POST", "/orchestration/orchestrations", json=nested))


def test_null_means_not_given(call, pid, other):
    status, body = call(
        "POST", "/transfer/internal", json=_internal(pid, to_profile_id=other, ref_id=None)
    )
    assert status == 200, body
    assert body.get("ref_id", "") == ""
    assert _refused(call("POST", "/transfer/internal", json=_internal(pid, asset=None))) == (
        "asset is required"
    )


def test_json_that_python_would_take_but_json_does_not_is_refused(call, pid):
    for raw, fragment in (
        (b'{"amount": NaN}', "NaN is not a JSON number"),
        (b'{"asset": "USD", "asset": "EUR"}', "field 'asset' is given more than once"),
        (b"[1, 2]", "request body must be a JSON object"),
        (b'{"asset": ', "request body is not valid JSON"),
    ):
        status, problem = call(
            "POST",
            "/transfer/internal",
            data=raw,
            headers={"Content-Type": "application/json"},
        )
        assert status == 400, raw
        assert fragment in problem["detail"], (raw, problem)


def test_a_json_body_needs_a_json_content_type(call, pid, other, emulator):
    before = emulator.ledger.audit()
    raw = json.dumps(_internal(pid, to_profile_id=other)).encode()
    for content_type, shown in (
        ("text/plain", "'text/plain'"),
        ("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'"),
        ("application/json; charset=latin-1", "'application/json; charset=latin-1'"),
        (None, "none"),
    ):
        headers = {"Content-Type": content_type} if content_type else {}
        status, problem = call("POST", "/transfer/internal", data=raw, headers=headers)
        assert status == 415, (content_type, problem)
        assert problem["title"] == "Unsupported Media Type"
        assert problem["detail"] == (
            f"the request body must be JSON sent with Content-Type: application/json; got {shown}"
        )
    assert emulator.ledger.audit() == before  # nothing was applied
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        status, _ = call(
            "POST", "/transfer/internal", data=raw, headers={"Content-Type": content_type}
        )
        assert status == 200, content_type


def test_bodies_where_an_operation_takes_none_or_needs_one(call, pid):
    detail = _refused(call("GET", "/profiles", json={"nickname": "x"}))
    assert detail == "GET /v2/profiles takes no request body; send it without one"
    assert _refused(call("POST", "/transfer/internal")) == (
        "POST /v2/transfer/internal needs a JSON request body"
    )


def test_validation_runs_after_the_auth_chain(emulator, http):
    r = http.post(f"{emulator.api_url}/transfer/internal", data=b"junk", timeout=10)
    assert r.status_code == 401  # no token: the auth chain answers first


def test_every_operation_compiles_its_rules():
    """Each operation's schemas compile (lazily in service; all at once here)."""
    refused = set()
    for op in catalog.operations():
        body = b"{}" if op.body else b""
        try:
            validation.check(op, _path_values(op), Query(""), body, "application/json")
        except Problem as problem:  # a required field or query parameter; an unknown market
            refused.add(problem.status)
    assert refused == {400, 404}
