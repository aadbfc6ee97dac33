"""Orchestrations, orchestration rules and stablecoin conversions."""

from __future__ import annotations

from decimal import Decimal


def held(world, pid: str, asset: str) -> Decimal:
    return Decimal(world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")["available"])


def test_orchestration_progresses_processing_to_completed(world):
    src, dst = world.profile_id("default"), world.profile_id("treasury")
    usd, usdg = held(world, src, "USD"), held(world, dst, "USDG")
    body = {
        "ref_id": "orc-1", "source_asset": "USD", "destination_asset": "USDG",
        "source_amount": "1500.25",
        "source": {"profile": {"profile_id": src}}, "destination": {"profile": {"profile_id": dst}},
        "metadata": {"invoice": "A-1"},
    }  # fmt: skip
    made = world.api.ok("POST", "/orchestration/orchestrations", body)
    assert made["status"] == "PROCESSING"
    assert made["source_transfer"]["status"] == "PENDING"
    assert made["destination"] == {"profile": {"profile_id": dst}}
    assert made["metadata"] == {"invoice": "A-1"}
    assert held(world, src, "USD") == usd - Decimal("1500.25")
    assert held(world, dst, "USDG") == usdg
    legs = world.api.ok("GET", "/transfer/transfers", group_ids=[made["id"]])["items"]
    assert {t["id"] for t in legs} == {
        made["source_transfer"]["transfer_id"],
        made["destination_transfer"]["transfer_id"],
    }
    world.clock.advance(2)
    done = world.api.ok("GET", f"/orchestration/orchestrations/{made['id']}")
    assert done["status"] == "COMPLETED"
    assert done["updated_at"] > done["created_at"]
    assert (
        done["source_transfer"]["status"] == done["destination_transfer"]["status"] == "COMPLETED"
    )
    assert held(world, dst, "USDG") == usdg + Decimal("1500.25")
    audit = world.ledger.audit()
    assert audit["USD"]["conversions"] == Decimal("-1500.25")
    assert audit["USDG"]["conversions"] == Decimal("1500.25")
    status, problem = world.api.post("/orchestration/orchestrations", body)
    assert status == 409
    assert problem["meta"]["existing"] == done
    # ListOrchestrations profile_id filters "by the target profiles": the orchestration's
    # own profile, not the profile it pays into.
    by_source = world.api.ok("GET", "/orchestration/orchestrations", profile_id=[src])["items"]
    assert made["id"] in {o["id"] for o in by_source}
    by_dest = world.api.ok("GET", "/orchestration/orchestrations", profile_id=[dst])["items"]
    assert made["id"] not in {o["id"] for o in by_dest}


def test_orchestration_defaults_validation_and_list(world):
    made = world.api.ok(
        "POST",
        "/orchestration/orchestrations",
        {
            "ref_id": "d-1",
            "source_asset": "PYUSD",
            "destination_asset": "USD",
            "source_amount": "10",
        },
    )
    default = world.profile_id("default")
    assert made["source"] == {"profile": {"profile_id": default}} == made["destination"]
    for body, code, fragment in [
        (
            {"source_asset": "USD", "destination_asset": "USDG", "source_amount": "1"},
            400,
            "ref_id is required",
        ),
        (
            {
                "ref_id": "x",
                "source_asset": "USDP",
                "destination_asset": "USDG",
                "source_amount": "1",
            },
            400,
            "cannot convert USDP to USDG",
        ),
        (
            {
                "ref_id": "x",
                "source_asset": "USD",
                "destination_asset": "USDG",
                "source_amount": "1.001",
            },
            400,
            "max precision",
        ),
        (
            {
                "ref_id": "x",
                "source_asset": "USD",
                "destination_asset": "USDG",
                "source_amount": "1",
                "destination": {"crypto": {"address_id": "a"}},
            },
            404,
            "crypto destination address not found: a",
        ),
        (
            {
                "ref_id": "x",
                "source_asset": "USD",
                "destination_asset": "USDG",
                "source_amount": "99999999",
            },
            403,
            "insufficient",
        ),
    ]:
        status, problem = world.api.post("/orchestration/orchestrations", body)
        assert status == code, (body, problem)
        assert fragment in problem["detail"], (body, problem)
    second = world.api.ok(
        "POST",
        "/orchestration/orchestrations",
        {
            "ref_id": "d-2",
            "source_asset": "USD",
            "destination_asset": "USDP",
            "source_amount": "20",
        },
    )
    listing = world.api.ok("GET", "/orchestration/orchestrations")
    assert listing["items"] == listing["orchestrations"]  # both envelope keys, as in 2026
    assert [o["id"] for o in listing["items"]] == [second["id"], made["id"]]
    assert (
        world.api.ok("GET", "/orchestration/orchestrations", ref_id=["d-1"])["items"][0]["id"]
        == made["id"]
    )
    assert (
        world.api.ok("GET", "/orchestration/orchestrations", source_asset=["USD"])["items"][0]["id"]
        == second["id"]
    )
    assert world.api.ok("GET", "/orchestration/orchestrations", status=["COMPLETED"])["items"] == []
    page = world.api.ok("GET", "/orchestration/orchestrations", limit=1)
    rest = world.api.ok(
        "GET", "/orchestration/orchestrations", limit=1, page_cursor=page["next_page_cursor"]
    )
    assert [page["items"][0]["id"], rest["items"][0]["id"]] == [second["id"], made["id"]]
    assert world.api.get("/orchestration/orchestrations/unknown")[0] == 404


def test_rules_create_list_delete_and_deposit_trigger(world):
    pid = world.profile_id("trading")
    body = {
        "ref_id": "rule-1",
        "profile_id": pid,
        "source_asset": "USDG",
        "destination_asset": "USD",
        "source": {"crypto": {"network": "SOLANA"}},
        "nickname": "sweep",
    }
    rule = world.api.ok("POST", "/orchestration/rules", body)["rule"]
    assert rule["status"] == "ACTIVE"
    assert rule["destination"] == {"profile": {"profile_id": pid}}
    address = rule["source"]["crypto"]
    assert address["network"] == "SOLANA"
    assert len(address["address"]) == 44
    listed_addresses = world.api.ok(
        "GET", "/transfer/deposit-addresses", ids=[address["address_id"]]
    )["items"]
    assert listed_addresses[0]["address"] == address["address"]
    status, problem = world.api.post("/orchestration/rules", body)
    assert status == 409
    assert problem["meta"]["existing"] == rule
    fiat = world.api.ok(
        "POST",
        "/orchestration/rules",
        {
            **body,
            "ref_id": "rule-2",
            "source": {"fiat": {"network": "WIRE", "account_type": "ABA"}},
        },
    )["rule"]
    assert set(fiat["source"]["fiat"]) == {
        "deposit_instructions_id",
        "network",
        "account_type",
        "memo_id",
    }
    # A deposit to the rule's address converts it for the rule.
    usd = held(world, pid, "USD")
    deposit = {
        "asset": "USDG",
        "amount": "75",
        "crypto_network": "SOLANA",
        "crypto_address": address["address"],
    }
    world.api.ok("POST", f"/sandbox/profiles/{pid}/deposit", deposit)
    triggered = world.api.ok(
        "GET", "/orchestration/orchestrations", orchestration_rule_id=[rule["id"]]
    )["items"]
    assert len(triggered) == 1
    assert triggered[0]["source_amount"] == "75"
    world.clock.advance(2)
    assert held(world, pid, "USD") == usd + 75
    listing = world.api.ok("GET", "/orchestration/rules")
    assert listing["items"] == listing["rules"]
    assert [r["id"] for r in listing["items"]] == [
        fiat["id"],
        rule["id"],
    ]
    deleted = world.api.ok("DELETE", f"/orchestration/rules/{rule['id']}")["rule"]
    assert deleted["status"] == "DELETED"
    assert deleted["id"] == rule["id"]
    assert [
        r["id"] for r in world.api.ok("GET", "/orchestration/rules", status=["ACTIVE"])["items"]
    ] == [fiat["id"]]
    world.api.ok("POST", f"/sandbox/profiles/{pid}/deposit", deposit)  # no rule any more
    assert (
        len(
            world.api.ok(
                "GET", "/orchestration/orchestrations", orchestration_rule_id=[rule["id"]]
            )["items"]
        )
        == 1
    )
    assert world.api.delete("/orchestration/rules/unknown")[0] == 404
    status, problem = world.api.post("/orchestration/rules", {**body, "ref_id": "r3", "source": {}})
    assert status == 400
    assert "exactly one of crypto or fiat" in problem["detail"]


def test_stablecoin_conversion_settle_cancel_and_list(world):
    pid = world.profile_id("default")
    usd, usdp = held(world, pid, "USD"), held(world, pid, "USDP")
    body = {
        "profile_id": pid,
        "amount": "300.10",
        "source_asset": "USD",
        "target_asset": "USDP",
        "ref_id": "cv-1",
    }
    made = world.api.ok("POST", "/conversion/stablecoins", body)
    assert made["status"] == "CREATED"
    assert made["identity_id"] == "00000000-0000-0000-0000-000000000000"
    assert held(world, pid, "USD") == usd - Decimal("300.10")
    assert held(world, pid, "USDP") == usdp
    assert world.ledger.audit()["USD"]["in_flight"] == Decimal("300.10")
    world.clock.advance(2)
    settled = world.api.ok("GET", f"/conversion/stablecoins/{made['id']}")
    assert settled["status"] == "SETTLED"
    assert "settled_at" in settled
    assert held(world, pid, "USDP") == usdp + Decimal("300.10")
    status, problem = world.api.delete(f"/conversion/stablecoins/{made['id']}")
    assert status == 403
    assert "SETTLED" in problem["detail"]
    back = world.api.ok(
        "POST",
        "/conversion/stablecoins",
        {**body, "ref_id": "cv-2", "source_asset": "USDP", "target_asset": "USD"},
    )
    cancelled = world.api.ok("DELETE", f"/conversion/stablecoins/{back['id']}")
    assert cancelled["status"] == "CANCELLED"
    assert "cancelled_at" in cancelled
    world.clock.advance(2)
    assert world.api.ok("GET", f"/conversion/stablecoins/{back['id']}")["status"] == "CANCELLED"
    assert held(world, pid, "USDP") == usdp + Decimal("300.10")  # refunded, never converted
    assert [c["id"] for c in world.api.ok("GET", "/conversion/stablecoins")["items"]] == [
        back["id"],
        made["id"],
    ]
    assert (
        world.api.ok("GET", "/conversion/stablecoins", ref_id="cv-1")["items"][0]["id"]
        == made["id"]
    )
    status, problem = world.api.post("/conversion/stablecoins", body)
    assert status == 409
    assert problem["meta"]["existing"]["id"] == made["id"]
    for bad, fragment in [
        (
            {**body, "ref_id": None, "target_asset": "PYUSD", "source_asset": "USDG"},
            "cannot convert",
        ),
        ({**body, "ref_id": None, "amount": "1.005"}, "max precision"),
    ]:
        status, problem = world.api.post("/conversion/stablecoins", bad)
        assert status == 400
        assert fragment in problem["detail"]
    assert world.api.get("/conversion/stablecoins/unknown")[0] == 404
    for line in world.ledger.audit().values():
        assert line["difference"] == 0
