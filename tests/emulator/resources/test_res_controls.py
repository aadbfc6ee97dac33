"""Identity controls (preview): the documented rules, the events, the schemas, generated inputs.

In-process on one ledger (``identity_support.Recorder``). Each constraint test states the rule
it checks (docs.paxos.com, Identity Controls; the preview spec's type descriptions).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_support import NOW, Recorder, person
from jsonschema import Draft4Validator, FormatChecker
from money_support import owner, wire
from resources_harness import Direct
from schema_strategies import values

from paxos_nb.catalog import schemas

OPERATIONS = ("ListIdentityControls", "CreateIdentityControl", "DeleteIdentityControl")
CONTROLS = "/identity/controls"


ANSWERS: dict[str, list[tuple[int, Any]]] = {op: [] for op in OPERATIONS}


class Keeping(Direct):
    """In-process calls that keep every answer of the control operations (the schema test)."""

    def __call__(self, method: str, target: str, body: Any = None, now: Any = None) -> Any:
        status, data = super().__call__(method, target, body, now)
        if target.split("?")[0] == CONTROLS:
            op = {"GET": OPERATIONS[0], "POST": OPERATIONS[1], "DELETE": OPERATIONS[2]}[method]
            ANSWERS[op].append((status, data))
        return status, data


class Controls(Recorder):
    """The recorder, with helpers to onboard a person, set a control, place an order..."""

    def __init__(self) -> None:
        super().__init__()
        self.direct = Keeping(self.ledger, NOW)
        self.people = 0

    def person(self) -> str:
        """A new APPROVED person (a fresh ref_id each time)."""
        self.people += 1
        ident = self.ok("POST", "/identity/identities", person(self.people))["id"]
        self.later(1)
        assert self.identity(ident)["summary_status"] == "APPROVED"  # the onboarding decision
        return ident

    def control(self, identity_id: str, kind: str, **extra: Any) -> dict[str, Any]:
        body = {"identity_id": identity_id, "type": kind, "reason_code": "OTHER", **extra}
        return self.ok("POST", CONTROLS, body)

    def order(self, identity_id: str, side: str) -> tuple[int, Any]:
        pid = self.profile("default")
        body = {
            "side": side,
            "market": "BTCUSD",
            "type": "MARKET",
            **({"quote_amount": "10.00"} if side == "BUY" else {"base_amount": "0.0001"}),
            "identity_id": identity_id,
            "identity_account_id": "acct-1",
        }
        return self.call("POST", f"/profiles/{pid}/orders", body)

    def crypto_withdrawal(self, identity_id: str) -> tuple[int, Any]:
        body = {
            "profile_id": self.profile("default"),
            "asset": "BTC",
            "crypto_network": "BITCOIN",
            "destination_address": "tb1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            "amount": "0.0001",
            "identity_id": identity_id,
        }
        return self.call("POST", "/transfer/crypto-withdrawals", body)

    def profile(self, nickname: str) -> str:
        items = self.ok("GET", f"/profiles?nickname={nickname}")["items"]
        return next(p["id"] for p in items if p["nickname"] == nickname)


def refused(answer: tuple[int, Any], text: str, status: int = 403) -> dict[str, Any]:
    """The problem of an answer expected to be ``status`` with ``text`` in its detail."""
    got, problem = answer
    assert got == status, problem
    assert text in problem["detail"], problem
    return problem


@pytest.fixture(scope="module")
def rec() -> Controls:
    return Controls()


def test_sell_only_allows_sells_only(rec):
    """SELL_ONLY: "Identity may only sell" - a BUY order and a withdrawal are refused (403),
    a SELL order goes through."""
    ident = rec.person()
    rec.control(ident, "SELL_ONLY")
    problem = refused(rec.order(ident, "BUY"), "SELL_ONLY")
    assert problem["detail"].startswith("user account is disabled")
    refused(rec.crypto_withdrawal(ident), "withdrawals are refused")
    status, sold = rec.order(ident, "SELL")
    assert status == 200, sold
    assert sold["side"] == "SELL"


def test_a_stop_order_armed_before_a_closed_control_is_rejected_when_it_triggers(rec):
    """A stop order placed while trading was allowed does not trade once a CLOSED control
    forbids it: when the bid reaches its stop it is REJECTED, its BTC released."""
    ident, pid = rec.person(), rec.profile("default")
    bid = Decimal(rec.ok("GET", "/markets/BTCUSD/order-book")["bids"][0]["price"])
    body = {
        "side": "SELL", "market": "BTCUSD", "type": "STOP_MARKET", "base_amount": "0.0001",
        "stop_price": str(bid - Decimal("0.25")), "identity_id": ident,
        "identity_account_id": "acct-1",
    }  # fmt: skip
    made = rec.ok("POST", f"/profiles/{pid}/orders", body)
    rec.control(ident, "CLOSED")
    for _ in range(600):
        rec.later(1)
        got = rec.ok("GET", f"/profiles/{pid}/orders/{made['id']}")
        if got["is_triggered"]:
            break
    assert (got["status"], got["is_triggered"], got["amount_filled"]) == (
        "REJECTED",
        True,
        "0.00000000",
    )
    assert rec.ok("GET", f"/executions?order_id={made['id']}")["items"] == []


@pytest.mark.parametrize("kind", ["CLOSED", "DORMANT"])
def test_closed_and_dormant_allow_no_order_nor_withdrawal(rec, kind):
    """CLOSED: "Identity is closed and cannot perform any actions"; DORMANT (emulator's
    reading): nothing until the control is deleted. Every new order and withdrawal: 403."""
    ident = rec.person()
    rec.control(ident, kind)
    for side in ("BUY", "SELL"):
        refused(rec.order(ident, side), f"active {kind} control")
    refused(rec.crypto_withdrawal(ident), "no new withdrawals")


def test_frozen_is_set_by_paxos_and_cannot_be_deleted(rec):
    """FROZEN (compliance; behaves like the ERROR status: hold only) is Paxos's: clients may
    not create it (the request enum) nor delete a control that is not overridable (403)."""
    ident = rec.person()
    assert "FROZEN" in rec.fails(400, "POST", CONTROLS, {
        "identity_id": ident, "type": "FROZEN", "reason_code": "COMPLIANCE_INVESTIGATION",
    })  # fmt: skip
    with rec.ledger.at(rec.direct.now) as led:
        frozen = led.controls.create(
            ident, "FROZEN", "COMPLIANCE_INVESTIGATION", led.now,
            set_by="SET_BY_PAXOS", is_overridable=False,
        )  # fmt: skip
    for side in ("BUY", "SELL"):
        assert rec.order(ident, side)[0] == 403
    assert rec.crypto_withdrawal(ident)[0] == 403
    detail = rec.fails(403, "DELETE", f"{CONTROLS}?control_id={frozen.id}")
    assert "not overridable" in detail
    listed = rec.ok("GET", f"{CONTROLS}?identity_id={ident}")["items"]
    assert [(c["type"], c["set_by"], c["is_overridable"]) for c in listed] == [
        ("FROZEN", "SET_BY_PAXOS", False)
    ]


def test_a_client_control_comes_back_overridable_and_set_by_client(rec):
    """Create: the new control is overridable and SET_BY_CLIENT (docs)."""
    ident = rec.person()
    made = rec.control(ident, "DORMANT", reason="no activity")
    assert (made["set_by"], made["is_overridable"], made["reason"]) == (
        "SET_BY_CLIENT", True, "no activity"
    )  # fmt: skip
    assert "deleted_at" not in made


def test_a_control_disables_the_identity_and_deleting_it_restores(rec):
    """A control makes the identity DISABLED (identity.disabled); deleting the last one
    re-derives the status (back to APPROVED, identity.approved); orders pass again."""
    ident = rec.person()
    rec.kinds()
    first = rec.control(ident, "SELL_ONLY")
    second = rec.control(ident, "CLOSED")
    assert rec.kinds() == [
        "identity_control.created", "identity.disabled", "identity_control.created",
    ]  # fmt: skip
    assert rec.identity(ident)["summary_status"] == "DISABLED"
    kind, obj = rec.objects["identity.disabled"][-1]
    assert kind == "identity_summary_status_change"
    assert (obj["identity_id"], obj["old_summary_status"], obj["new_summary_status"]) == (
        ident, "APPROVED", "DISABLED"
    )  # fmt: skip
    assert rec.ok("DELETE", f"{CONTROLS}?control_id={second['id']}&reason=reopened") == {}
    assert rec.identity(ident)["summary_status"] == "DISABLED"  # SELL_ONLY still active
    assert rec.order(ident, "BUY")[0] == 403
    # the guide's form: a body {id, reason}
    assert rec.ok("DELETE", CONTROLS, {"id": first["id"], "reason": "lifted"}) == {}
    assert rec.kinds()[-2:] == ["identity_control.deleted", "identity.approved"]
    assert rec.identity(ident)["summary_status"] == "APPROVED"
    assert rec.order(ident, "BUY")[0] == 200
    assert rec.ok("GET", f"{CONTROLS}?identity_id={ident}")["items"] == []
    every = rec.ok("GET", f"{CONTROLS}?identity_id={ident}&include_deleted=true")["items"]
    assert [c["id"] for c in every] == [first["id"], second["id"]]
    assert all("deleted_at" in c for c in every)
    assert "already deleted" in rec.fails(404, "DELETE", f"{CONTROLS}?control_id={first['id']}")


def test_the_disabled_event_reaches_the_events_feed(rec):
    """identity.disabled is a Paxos event type: GET /events lists it for a new control."""
    ident = rec.person()
    rec.control(ident, "CLOSED")
    events = rec.ok("GET", "/events?type=identity.disabled")["events"]
    assert any(e["object"]["identity_id"] == ident for e in events)


def test_a_control_refuses_fiat_withdrawals_too(rec):
    """A withdrawal is refused whatever its rail: a fiat withdrawal with a SELL_ONLY
    identity's id is 403; the same withdrawal without the identity_id goes through."""
    ident = rec.person()
    account = rec.ok("POST", "/transfer/fiat-accounts", {
        "fiat_account_owner": owner(), "fiat_network_instructions": wire(),
    })  # fmt: skip
    rec.later(2)
    rec.control(ident, "SELL_ONLY")
    body = {
        "profile_id": rec.profile("default"),
        "fiat_account_id": account["id"],
        "asset": "USD",
        "amount": "12",
    }
    refused(rec.call("POST", "/transfer/fiat-withdrawals", {**body, "identity_id": ident}),
            "withdrawals are refused")  # fmt: skip
    assert rec.ok("POST", "/transfer/fiat-withdrawals", body)["status"] == "PENDING"


def test_other_identities_and_legacy_flags(rec):
    """A control binds only its identity; the legacy user_disabled flag counts as SELL_ONLY
    (the docs map it to a SELL_ONLY control)."""
    free, flagged = rec.person(), rec.person()
    assert rec.order(free, "BUY")[0] == 200
    rec.ok("PUT", f"/identity/identities/{flagged}/sandbox-status", {
        "user_disabled": {"disabled": True},
    })  # fmt: skip
    assert rec.order(flagged, "BUY")[0] == 403
    assert rec.order(flagged, "SELL")[0] == 200


def test_list_needs_a_known_identity_and_pages(rec):
    """List: identity_id required (400), unknown identity 404 ``identity not found``; the
    cursor pages through the controls, oldest first."""
    assert "identity_id" in rec.fails(400, "GET", CONTROLS)
    assert rec.fails(404, "GET", f"{CONTROLS}?identity_id=nobody") == "identity not found"
    ident = rec.person()
    made = [rec.control(ident, kind)["id"] for kind in ("SELL_ONLY", "CLOSED", "DORMANT")]
    page = rec.ok("GET", f"{CONTROLS}?identity_id={ident}&limit=2")
    rest = rec.ok(
        "GET",
        f"{CONTROLS}?"
        + urlencode({"identity_id": ident, "limit": 2, "page_cursor": page["next_page_cursor"]}),
    )
    assert [c["id"] for c in page["items"] + rest["items"]] == made
    assert "next_page_cursor" not in rest


# -- every answer against the catalog's schemas (run after the scenarios above) ------------
@pytest.mark.parametrize("op", OPERATIONS)
def test_every_answer_matches_the_catalog(rec, op):
    ident = rec.person()  # one success of each, whichever tests ran before
    made = rec.control(ident, "SELL_ONLY", reason="checked")
    rec.ok("GET", f"{CONTROLS}?identity_id={ident}&include_deleted=true")
    rec.ok("DELETE", f"{CONTROLS}?control_id={made['id']}")
    got = ANSWERS[op]
    assert any(status == 200 for status, _ in got), f"{op} never succeeded"
    errors = []
    for status, body in got:
        schema = schemas.for_operation(op).response(status) or schemas.components()["Problem"]
        validator = Draft4Validator(schemas.rooted(schema), format_checker=FormatChecker())
        errors += [f"{status} {e.message}" for e in validator.iter_errors(body)]
    assert errors == []


# -- generated inputs: never a 5xx ---------------------------------------------------------
@pytest.fixture(scope="module")
def known(rec) -> list[str]:
    return [rec.person(), rec.person()]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_inputs_never_fail_the_server(rec, known, data):
    op = data.draw(st.sampled_from(OPERATIONS))
    spec = schemas.for_operation(op)
    ident = data.draw(st.sampled_from([*known, ""]) | st.text(max_size=12))
    if op == "CreateIdentityControl":
        body = data.draw(values(spec.body))
        if data.draw(st.booleans()):
            body["identity_id"] = ident
        status, answer = rec.call("POST", CONTROLS, body)
    elif op == "ListIdentityControls":
        query = {"identity_id": ident}
        for name in ("include_deleted", "limit", "page_cursor"):
            if data.draw(st.booleans()):
                query[name] = str(data.draw(values(spec.query[name]))).lower()
        status, answer = rec.call("GET", f"{CONTROLS}?{urlencode(query)}")
    else:
        # The draws must not depend on how many controls earlier examples made (older
        # hypothesis releases call that flaky): draw a choice, then pick the newest control.
        ids = [c.id for c in rec.ledger.controls]
        newest, text = data.draw(st.booleans()), data.draw(st.text(max_size=12))
        control = ids[-1] if newest and ids else text
        reason = data.draw(values(spec.query["reason"]))
        status, answer = rec.call(
            "DELETE", f"{CONTROLS}?{urlencode({'control_id': control, 'reason': reason})}"
        )
    assert status < 500, answer
    if status >= 400:
        assert answer.get("detail"), answer
