"""px.scopes: least-privilege sets from ids, paths and tags; presets; explain; the planner."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from paxos_nb import catalog, scopes
from paxos_nb.errors import ConfigError, UnknownNameError

# API brief §3.2, "Mint, redeem and convert", in the docs' order.
CONVERT_16 = (
    "orchestration:read_orchestration",
    "orchestration:write_orchestration",
    "orchestration:read_orchestration_rule",
    "orchestration:write_orchestration_rule",
    "funding:read_profile",
    "funding:write_profile",
    "transfer:read_deposit_address",
    "transfer:read_transfer",
    "transfer:read_fiat_account",
    "transfer:read_fiat_deposit_instructions",
    "transfer:write_internal_transfer",
    "transfer:write_crypto_withdrawal",
    "transfer:write_deposit_address",
    "transfer:write_fiat_account",
    "transfer:write_fiat_deposit_instructions",
    "transfer:write_fiat_withdrawal",
)


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "3f2a9c1e-0b7d-4c55-9a11-5e0d2b6c7f80", template)


# -- required -------------------------------------------------------------------------------


def test_required_from_ids_and_paths():
    assert scopes.required(["ListProfiles", "POST /transfer/internal"]) == [
        "funding:read_profile",
        "transfer:write_internal_transfer",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "ListProfileBalances",
        "listprofilebalances",
        "list_profile_balances",
        "GET /profiles/{profile_id}/balances",
        "GET /profiles/3f2a9c1e-0b7d-4c55-9a11-5e0d2b6c7f80/balances",
        "get /v2/profiles/3f2a9c1e/balances",
        "GET /v2/profiles/3f2a9c1e/balances?assets=BTC&assets=USD",
        "GET /profiles/3f2a9c1e/balances/",
        "GET https://api.sandbox.paxos.com/v2/profiles/3f2a9c1e/balances?assets=BTC",
    ],
)
def test_required_accepts_every_spelling_of_one_operation(name):
    assert scopes.required(name) == ["funding:read_profile"]


def test_a_tag_stands_for_all_its_operations():
    assert scopes.required("Transfers") == ["transfer:read_transfer"]
    assert scopes.required(["fiat transfers"]) == [
        "transfer:read_fiat_account",
        "transfer:read_fiat_deposit_instructions",
        "transfer:write_fiat_account",
        "transfer:write_fiat_deposit_instructions",
        "transfer:write_fiat_withdrawal",
    ]


def test_mixed_names_give_a_minimal_sorted_set():
    got = scopes.required(
        [
            "ListTransfers",
            "GET /transfer/transfers/abc",  # same scope again
            "Transfers",  # and again, as a tag
            "GET /profiles",
            "ListProfileBalances",  # funding:read_profile twice
            "CreateOrder",
            "GET /markets",  # public
        ]
    )
    assert got == ["exchange:write_order", "funding:read_profile", "transfer:read_transfer"]
    assert got == sorted(set(got))


def test_public_operations_need_no_scope():
    assert scopes.required(["GET /markets", "GetTicker", "GET /markets/BTCUSD/order-book"]) == []
    assert scopes.required([]) == []


def test_every_catalog_operation_resolves_to_its_own_scope():
    for op in catalog.operations():
        expected = [op.scope] if op.scope else []
        assert scopes.required(op.operation_id) == expected
        assert scopes.required(op.key) == expected
        assert scopes.required(f"{op.method} /v2{_concrete(op.path)}?limit=1") == expected


def test_unknown_id_raises_with_the_closest_names():
    with pytest.raises(UnknownNameError) as info:
        scopes.required(["ListProfiles", "ListProfile"])
    err = info.value
    assert isinstance(err, KeyError)  # callers' `except KeyError` keeps working
    assert isinstance(err, ValueError)
    assert "ListProfiles" in err.closest
    assert "'ListProfile'" in str(err)
    assert "did you mean" in str(err)


def test_unknown_tag_suggests_the_tag():
    with pytest.raises(UnknownNameError) as info:
        scopes.required("Transfer")
    assert "Transfers" in info.value.closest


def test_unknown_concrete_path_suggests_its_template():
    with pytest.raises(UnknownNameError) as info:
        scopes.required("GET /profiles/3f2a/balancez")
    assert "GET /profiles/{profile_id}/balances" in info.value.closest


def test_wrong_method_names_the_methods_that_exist():
    with pytest.raises(UnknownNameError) as info:
        scopes.required("DELETE /profiles")
    message = str(info.value)
    assert "GET, POST" in message
    assert set(info.value.closest) == {"GET /profiles", "POST /profiles"}


def test_path_without_method_asks_for_one():
    with pytest.raises(UnknownNameError) as info:
        scopes.required("/quotes")
    assert "needs a method" in str(info.value)
    assert info.value.closest == ("GET /quotes",)


def test_a_non_string_name_is_a_clear_error():
    with pytest.raises(ConfigError, match="operation id"):
        scopes.required([42])
    with pytest.raises(ConfigError, match="empty"):
        scopes.required(["  "])


# -- presets ----------------------------------------------------------------------------------


def test_convert_preset_is_exactly_the_docs_set():
    assert scopes.PRESETS["convert"] == CONVERT_16
    assert len(set(scopes.PRESETS["convert"])) == 16


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "quotes",
            "funding:read_profile exchange:read_quote exchange:write_quote_execution "
            "exchange:read_quote_execution",
        ),
        (
            "fiat_transfers",
            "transfer:read_fiat_account transfer:write_fiat_account "
            "transfer:read_fiat_deposit_instructions transfer:write_fiat_deposit_instructions "
            "transfer:write_fiat_withdrawal transfer:write_sandbox_fiat_deposit "
            "transfer:read_transfer funding:read_profile",
        ),
        (
            "stablecoin_payments",
            "funding:read_profile funding:write_profile transfer:read_transfer "
            "transfer:write_crypto_withdrawal transfer:write_deposit_address",
        ),
        (
            "identity_onboarding",
            "identity:read_identity identity:read_account identity:write_identity "
            "identity:write_account funding:read_profile funding:write_profile "
            "exchange:read_order exchange:write_order",
        ),
    ],
)
def test_presets_follow_the_docs_tables(name, expected):
    assert set(scopes.PRESETS[name]) == set(expected.split())


def test_orchestrations_preset():
    got = set(scopes.PRESETS["orchestrations"])
    assert {s for s in got if s.startswith("orchestration:")} == {
        "orchestration:read_orchestration",
        "orchestration:write_orchestration",
        "orchestration:read_orchestration_rule",
        "orchestration:write_orchestration_rule",
    }
    assert "events:read_event" in got
    assert len(got) == 9


def test_every_preset_scope_exists_and_none_repeats():
    known = {s.scope for s in catalog.scopes()}
    for name, members in scopes.PRESETS.items():
        assert set(members) <= known, name
        assert len(members) == len(set(members)), name
        assert scopes.validate(members) == members


def test_analyst_is_read_only_and_covers_the_analyst_reads():
    access = {s.scope: s.access for s in catalog.scopes()}
    analyst = scopes.PRESETS["analyst"]
    assert {access[s] for s in analyst} == {"read"}
    reads = [
        "ListProfiles",
        "ListProfileBalances",
        "ListTransfers",
        "ListOrders",
        "ListExecutions",
        "ListQuotes",
        "ListQuoteExecutions",
        "ListHistoricalPrices",
        "ListDepositAddresses",
        "ListOrchestrations",
    ]
    assert set(scopes.required(reads)) <= set(analyst)


def test_trading_can_trade():
    needed = scopes.required(["CreateOrder", "CancelOrder", "ListOrders", "ListProfileBalances"])
    assert set(needed) <= set(scopes.PRESETS["trading"])


def test_presets_are_read_only_and_name_errors_suggest():
    with pytest.raises(TypeError):
        scopes.PRESETS["mine"] = ("funding:read_profile",)  # type: ignore[index]
    assert scopes.PRESETS["Fiat-Transfers"] == scopes.PRESETS["fiat_transfers"]
    with pytest.raises(UnknownNameError) as info:
        scopes.PRESETS["convrt"]
    assert info.value.closest == ("convert",)
    assert "convert" in repr(scopes.PRESETS)


# -- validate, dashboard_string, for_operation ------------------------------------------------


def test_validate_accepts_strings_and_lists_and_dedupes_in_order():
    text = "transfer:read_transfer  funding:read_profile,transfer:read_transfer\n"
    assert scopes.validate(text) == ("transfer:read_transfer", "funding:read_profile")
    assert scopes.validate(["funding:read_profile", " funding:read_profile "]) == (
        "funding:read_profile",
    )
    assert scopes.validate("") == ()


def test_validate_unknown_scope_suggests_the_real_spelling():
    with pytest.raises(UnknownNameError) as info:
        scopes.validate("funding:read_profile event:read_event")  # the 403 example's typo
    assert info.value.closest[0] == "events:read_event"
    assert "event:read_event" in str(info.value)
    with pytest.raises(ConfigError):
        scopes.validate([None])


def test_dashboard_string():
    assert scopes.dashboard_string(scopes.PRESETS["quotes"]) == (
        "funding:read_profile exchange:read_quote exchange:write_quote_execution "
        "exchange:read_quote_execution"
    )
    with pytest.raises(UnknownNameError):
        scopes.dashboard_string(["nope:scope"])


def test_for_operation():
    assert scopes.for_operation("CreateInternalTransfer") == "transfer:write_internal_transfer"
    assert scopes.for_operation("GET /markets/BTCUSD/ticker") is None
    assert scopes.for_operation(catalog.by_id("ListEvents")) == "events:read_event"
    with pytest.raises(ConfigError, match="tag"):
        scopes.for_operation("Transfers")


# -- explain and the catalog frame ------------------------------------------------------------


def test_explain_lists_what_a_scope_unlocks():
    info = scopes.explain("funding:read_profile")
    assert info.access == "read"
    assert info.family == "funding"
    assert "GET /profiles — List Profiles" in info.operations
    assert "POST /sandbox/profiles/{profile_id}/deposit — Create Sandbox Deposit" in info.operations
    assert "CreateSandboxDeposit" in info.operation_ids
    text = str(info)
    assert text.startswith("funding:read_profile (read, funding)")
    assert "GET /profiles/{profile_id}/balances" in text
    assert repr(info) == "ScopeInfo('funding:read_profile', access='read', operations=5)"
    html = info._repr_html_()
    assert "<table>" in html
    assert "<code>GET /profiles/{profile_id}</code>" in html


def test_explain_a_scope_without_rest_operations():
    info = scopes.explain("tax:read_tax_lot")
    assert info.operations == ()
    assert "no REST operation" in str(info)
    assert "no REST operation" in info._repr_html_()


def test_explain_unknown_scope():
    with pytest.raises(UnknownNameError) as info:
        scopes.explain("funding:read_profiles")
    assert info.value.closest[0] == "funding:read_profile"


def test_catalog_frame_has_one_row_per_scope():
    frame = scopes.catalog()
    assert list(frame.columns) == [
        "scope",
        "family",
        "access",
        "description",
        "operations",
        "operation_ids",
    ]
    assert len(frame) == len(catalog.scopes()) == 60
    assert frame["scope"].is_unique
    row = frame.set_index("scope").loc["transfer:read_transfer"]
    assert row["operations"] == 2
    assert set(row["operation_ids"].split(", ")) == {"ListTransfers", "GetTransfer"}
    assert frame["operations"].sum() == sum(1 for op in catalog.operations() if op.scope)


def test_importing_scopes_does_not_import_pandas():
    code = "import sys, paxos_nb.scopes; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- plan ------------------------------------------------------------------------------------


def test_plan_says_which_operation_needs_which_scope():
    plan = scopes.plan(["Transfers", "POST /transfer/internal", "GET /markets"])
    assert plan.scopes == ("transfer:read_transfer", "transfer:write_internal_transfer")
    assert plan.dashboard_string == "transfer:read_transfer transfer:write_internal_transfer"
    assert [s.operation_id for s in plan.steps] == [
        "ListTransfers",
        "GetTransfer",
        "CreateInternalTransfer",
        "ListMarkets",
    ]
    assert plan.steps[0].name == "Transfers"
    assert plan.steps[-1].scope is None
    frame = plan.frame()
    assert list(frame.columns) == ["name", "operation_id", "method", "path", "summary", "scope"]
    assert len(frame) == 4
    assert "2 scope(s)" in str(plan)
    assert "GET /markets  ListMarkets -> public" in str(plan)
    html = plan._repr_html_()
    assert "transfer:write_internal_transfer" in html
    assert "<td>Transfers</td>" in html


def test_plan_of_public_operations_is_empty():
    plan = scopes.plan("GET /markets")
    assert plan.scopes == ()
    assert plan.dashboard_string == ""
    assert "(none: all public)" in str(plan)


def test_plan_escapes_html():
    plan = scopes.plan(["GET /profiles/<b>x"])
    html = plan._repr_html_()
    assert "<b>x" not in html
    assert "&lt;b&gt;" in html
