"""Profiles, balances and the sandbox deposit, over HTTP."""

from __future__ import annotations

from decimal import Decimal


def balance(world, pid: str, asset: str) -> tuple[Decimal, Decimal]:
    row = world.api.ok("GET", f"/profiles/{pid}/balances/{asset}")
    return Decimal(row["available"]), Decimal(row["trading"])


def test_default_alias_and_get(world):
    default = world.api.ok("GET", "/profiles/default")
    assert default["type"] == "DEFAULT"
    assert default["nickname"] == "default"
    assert world.api.ok("GET", f"/profiles/{default['id']}") == default
    status, problem = world.api.get("/profiles/00000000-0000-4000-8000-000000000000")
    assert status == 404
    assert problem["detail"].startswith("profile not found: ")


def test_list_filters_nickname_prefix_and_ids(world):
    assert [p["nickname"] for p in world.api.ok("GET", "/profiles", nickname="TR")["items"]] == [
        "trading",
        "treasury",
    ]
    treasury = world.profile_id("treasury")
    assert [p["id"] for p in world.api.ok("GET", "/profiles", ids=[treasury])["items"]] == [
        treasury
    ]
    assert world.api.ok("GET", "/profiles", nickname="zzz")["items"] == []


def test_create_unique_nickname_and_update(world):
    created = world.api.ok("POST", "/profiles", {"nickname": "Savings", "description": "rainy day"})
    assert created["type"] == "NORMAL"
    assert created["description"] == "rainy day"
    status, problem = world.api.post("/profiles", {"nickname": "savings"})
    assert status == 409
    assert problem["type"].endswith("/already-exists")
    assert problem["meta"]["existing"] == created
    status, problem = world.api.post("/profiles", {})
    assert status == 400
    assert "nickname is required" in problem["detail"]
    renamed = world.api.ok("PUT", f"/profiles/{created['id']}", {"nickname": "Holiday"})
    assert renamed["nickname"] == "Holiday"
    assert renamed["id"] == created["id"]
    status, problem = world.api.put(f"/profiles/{created['id']}", {"nickname": "trading"})
    assert status == 409
    assert problem["meta"]["existing"]["nickname"] == "trading"
    status, _ = world.api.put("/profiles/default", {"nickname": "main"})
    assert status == 400
    listed = world.api.ok("GET", "/profiles")["items"]
    assert listed[-1] == renamed  # ascending by creation: the newest profile comes last


def test_deactivate_rules_and_reactivation_by_a_credit(world):
    pid = world.api.ok("POST", "/profiles", {"nickname": "temp"})["id"]
    status, problem = world.api.put("/profiles/default/deactivate")
    assert status == 400
    assert "default profile" in problem["detail"]
    world.api.ok("POST", f"/sandbox/profiles/{pid}/deposit", {"asset": "USD", "amount": "5"})
    status, problem = world.api.put(f"/profiles/{pid}/deactivate")
    assert status == 400
    assert "non-zero balance" in problem["detail"]
    world.api.ok(
        "POST",
        "/transfer/internal",
        {
            "from_profile_id": pid,
            "to_profile_id": world.profile_id("default"),
            "amount": "5",
            "asset": "USD",
        },
    )
    assert world.api.ok("PUT", f"/profiles/{pid}/deactivate") == {}
    assert world.api.get(f"/profiles/{pid}")[0] == 404
    assert world.api.ok("GET", f"/profiles/{pid}", include_deactivated="true")["id"] == pid
    assert pid not in {p["id"] for p in world.api.ok("GET", "/profiles")["items"]}
    world.api.ok(
        "POST",
        f"/sandbox/profiles/{pid}/deposit",
        {"asset": "BTC", "amount": "0.1", "crypto_network": "BITCOIN"},
    )
    assert world.api.ok("GET", f"/profiles/{pid}")["id"] == pid  # receiving funds revived it


def test_balances_list_filter_and_single(world):
    pid = world.profile_id("trading")
    rows = world.api.ok("GET", f"/profiles/{pid}/balances")["items"]
    assert {r["asset"] for r in rows} >= {"USD", "BTC", "ETH", "PAXG", "USDP", "PYUSD", "USDG"}
    assert all(set(r) == {"asset", "available", "trading"} for r in rows)
    some = world.api.ok("GET", f"/profiles/{pid}/balances", assets=["BTC", "USD"])["items"]
    assert {r["asset"] for r in some} == {"BTC", "USD"}
    one = world.api.ok("GET", f"/profiles/{pid}/balances/BTC")
    assert one == next(r for r in rows if r["asset"] == "BTC")
    assert world.api.get(f"/profiles/{pid}/balances/DOGE")[0] == 404
    assert world.api.get(f"/profiles/{pid}/balances", assets=["DOGE"])[0] == 400


def test_sandbox_deposit_credits_through_a_completed_transfer(world):
    pid = world.profile_id("treasury")
    before = balance(world, pid, "ETH")
    body = {"asset": "ETH", "amount": "1.25", "crypto_network": "ETHEREUM"}
    activity = world.api.ok("POST", f"/sandbox/profiles/{pid}/deposit", body)["activity_id"]
    transfer = world.api.ok("GET", f"/transfer/transfers/{activity}")
    assert transfer["type"] == "CRYPTO_DEPOSIT"
    assert transfer["status"] == "COMPLETED"
    assert (transfer["amount"], transfer["direction"], transfer["profile_id"]) == (
        "1.25",
        "CREDIT",
        pid,
    )
    assert balance(world, pid, "ETH") == (before[0] + Decimal("1.25"), before[1])
    usd = world.api.ok(
        "POST", f"/sandbox/profiles/{pid}/deposit", {"asset": "USD", "amount": "10.50"}
    )
    assert (
        world.api.ok("GET", f"/transfer/transfers/{usd['activity_id']}")["type"] == "WIRE_DEPOSIT"
    )


def test_sandbox_deposit_validation(world):
    pid = world.profile_id("default")
    cases = [
        ({"asset": "BTC", "amount": "1"}, "crypto_network is required"),
        ({"asset": "USD", "amount": "1", "crypto_network": "ETHEREUM"}, "left out for a fiat"),
        ({"asset": "BTC", "amount": "1", "crypto_network": "SOLANA"}, "not supported on network"),
        ({"asset": "USD", "amount": "-10"}, "must be positive decimal"),
        ({"asset": "USD", "amount": 10}, "must be positive decimal"),
        ({"asset": "USD", "amount": "1.001"}, "max precision allowed for asset USD is 2"),
        ({"asset": "XYZ", "amount": "1"}, "not a supported asset"),
    ]
    for body, fragment in cases:
        status, problem = world.api.post(f"/sandbox/profiles/{pid}/deposit", body)
        assert status == 400, (body, problem)
        assert fragment in problem["detail"], (body, problem)
