"""The scope picker: families, presets, least privilege, the Dashboard string."""

from __future__ import annotations

import pytest

from paxos_nb import catalog, scopes, widgets
from paxos_nb.errors import ConfigError, UnknownNameError


@pytest.fixture
def picker(ui):
    return ui(widgets.scope_picker())


def test_every_scope_has_a_checkbox_grouped_by_family(picker):
    assert set(picker.checkboxes) == {s.scope for s in catalog.scopes()}
    families = {s.family for s in catalog.scopes()}
    assert len(picker.families.children) == len(families)
    assert set(picker.families.titles) == families  # nothing selected: plain family names
    assert picker.value == ()
    label = picker.checkboxes["transfer:read_transfer"].description
    assert label == "transfer:read_transfer (read) — Retrieve transfer details"


def test_presets_select_exactly_their_scopes(picker):
    picker.preset.value = "convert"
    assert set(picker.value) == set(scopes.PRESETS["convert"])
    assert len(picker.value) == 16
    assert picker.dashboard.value == picker.dashboard_string == " ".join(picker.value)
    assert "orchestration (4/" in " ".join(picker.families.titles)
    # editing by hand leaves the preset
    picker.checkboxes["funding:read_profile"].value = False
    assert "funding:read_profile" not in picker.value
    assert len(picker.value) == 15
    assert picker.preset.value != "convert"
    picker.apply_preset("trading")
    assert set(picker.value) == set(scopes.PRESETS["trading"])
    assert picker.preset.value == "trading"


def test_least_privilege_for_operations(picker):
    picker.operations.value = ["ListProfiles", "POST /transfer/internal"]
    picker.least.click()
    assert picker.error is None
    assert picker.value == ("funding:read_profile", "transfer:write_internal_transfer")
    assert picker.value == tuple(scopes.required(["ListProfiles", "POST /transfer/internal"]))
    assert picker.dashboard_string == "funding:read_profile transfer:write_internal_transfer"
    assert "CreateInternalTransfer" in picker.plan_view.value
    # public operations need nothing
    assert picker.apply_operations(["ListTickers"]) == ()


def test_least_privilege_with_nothing_chosen_says_so(picker):
    picker.least.click()
    assert isinstance(picker.error, ConfigError)
    assert "no operations" in picker.error_text


def test_pasting_a_dashboard_string_selects_it_and_typos_are_named(picker):
    picker.dashboard.value = "transfer:read_transfer  funding:read_profile"
    assert picker.value == ("funding:read_profile", "transfer:read_transfer")
    picker.dashboard.value = "funding:read_profil"
    assert isinstance(picker.error, UnknownNameError)
    assert "funding:read_profile" in picker.error_text  # the closest name
    assert picker.value == ("funding:read_profile", "transfer:read_transfer")  # unchanged


def test_constructor_arguments_and_value_observers(ui):
    picker = ui(widgets.scope_picker("funding:read_profile", operations=["ListOrders"]))
    assert picker.value == ("exchange:read_order",)  # operations win: least privilege
    seen = []
    picker.observe(lambda change: seen.append(change["new"]), "value")
    picker.select(["events:read_event"])
    assert seen[-1] == ("events:read_event",)
    assert repr(picker) == "<ScopePicker: 1 scope(s) selected>"
    with pytest.raises(UnknownNameError):
        picker.select(["not:a_scope"])
