"""The API explorer and the call builder behind its copyable line."""

from __future__ import annotations

import pandas as pd
import pytest

from paxos_nb import catalog, widgets
from paxos_nb.errors import ConfigError, ScopeError
from paxos_nb.widgets import calls


def test_run_list_profiles_gives_a_dataframe_and_the_line(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    explorer = ui(widgets.explorer(form, search="ListProfiles"))
    assert explorer.operation.operation_id == "ListProfiles"
    assert "funding:read_profile" in explorer.info.value
    assert "data-has='yes'" in explorer.info.value
    assert explorer.python.value == 'session.frame("/profiles", max_rows=100)'
    assert explorer.magic_line.value == "%paxos GET /profiles --max-rows 100"
    explorer.run_button.click()
    assert explorer.error is None, explorer.error_text
    frame = explorer.last_result
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 3
    assert "<table" in explorer.result.value
    assert "treasury" in explorer.result.value
    # the line does what the explorer did
    session = form.session
    again = eval(explorer.python.value, {"session": session})  # noqa: S307 -- our own line
    pd.testing.assert_frame_equal(again, frame)


def test_parameters_change_the_line_and_the_call(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    explorer = ui(widgets.explorer(form.session))
    explorer.select("ListProfiles")
    explorer.set_params(limit=2, order="ASC", created_at__gte="2020-01-01T00:00:00Z")
    explorer.max_rows.value = 0
    assert explorer.python.value == (
        'session.frame("/profiles", created_at__gte="2020-01-01T00:00:00Z", limit=2, order="ASC")'
    )
    result = explorer.run()
    assert len(result) == 3  # limit is the page size; frame reads every page
    explorer.view.value = "JSON"
    assert explorer.python.value.startswith('session.get("/profiles", params={')
    page = explorer.run()
    assert isinstance(page, dict)
    assert len(page["items"]) == 2
    assert "data-kind='json'" in explorer.result.value


def test_path_parameters_and_required_fields(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    explorer = ui(widgets.explorer(form))
    explorer.select("GetProfile")
    assert explorer.view.value == "JSON"
    assert explorer.view.disabled  # one object: no table
    assert explorer.python.value.startswith("# fill the required fields")
    explorer.run_button.click()
    assert isinstance(explorer.error, ConfigError)
    assert "profile_id is required" in explorer.error_text
    explorer.set_params(profile_id="default")
    assert explorer.python.value == 'session.get("/profiles/default")'
    explorer.run_button.click()
    assert explorer.error is None
    assert explorer.last_result["nickname"] == "default"


def test_a_missing_scope_is_shown_with_the_fix(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    explorer = ui(widgets.explorer(form, search="ListTransfers"))
    assert explorer.operation.operation_id == "ListTransfers"
    assert "data-has='no'" in explorer.info.value  # known before running
    explorer.run_button.click()
    assert isinstance(explorer.error, ScopeError)
    html = explorer.errors.outputs[0]["data"]["text/html"]
    assert "paxos-nb-missing-scope'>transfer:read_transfer<" in html
    assert "funding:read_profile transfer:read_transfer" in html  # the set to request
    assert explorer.result.value == ""


def test_post_body_box_and_a_real_transfer(connected, ui, emu):
    form, _ = connected(["funding:read_profile", "transfer:write_internal_transfer"], live=False)
    explorer = ui(widgets.explorer(form))
    explorer.select("POST /transfer/internal")
    assert explorer.body.layout.display == ""
    assert '"from_profile_id": ""' in explorer.body.value  # the required fields
    profiles = form.session.frame("/profiles").set_index("nickname")["id"]
    explorer.body.value = (
        '{"amount": "1.25", "asset": "USD", '
        f'"from_profile_id": "{profiles["default"]}", "to_profile_id": "{profiles["trading"]}"}}'
    )
    assert explorer.python.value.startswith(
        'session.post("/transfer/internal", json={"amount": "1.25"'
    )
    assert explorer.magic_line.value == "%%paxos POST /transfer/internal"
    created = explorer.run()
    assert created["amount"] == "1.25"
    assert created["type"] == "INTERNAL_TRANSFER_DEBIT"
    explorer.body.value = "{not json"
    explorer.run_button.click()
    assert "the body is not JSON" in explorer.error_text


def test_without_a_session_the_explorer_says_connect_first(ui):
    explorer = ui(widgets.explorer(search="ListProfiles"))
    assert "no token yet" in explorer.info.value
    explorer.run_button.click()
    assert isinstance(explorer.error, ConfigError)
    assert "connect first" in explorer.error_text


def test_search_ranks_and_filters(ui):
    explorer = ui(widgets.explorer())
    assert len(explorer.operations.options) == len(catalog.operations())
    explorer.search.value = "transfer:read_transfer"  # by scope
    ids = [value for _, value in explorer.operations.options]
    assert {"ListTransfers", "GetTransfer"} <= set(ids)
    explorer.search.value = "GET /profiles"
    assert explorer.operation.operation_id == "ListProfiles"  # exact key first
    explorer.search.value = "no such thing at all"
    assert explorer.operations.options == ()
    assert explorer.operation is None


# -- the call builder (pure) ----------------------------------------------------------------


def test_build_converts_values_by_type():
    op = catalog.by_id("ListTransfers")
    call = calls.build(op, {"limit": "5", "profile_ids": "a, b", "order": "DESC"}, max_rows=7)
    assert call.params == {"profile_ids": ["a", "b"], "order": "DESC", "limit": 5}
    assert call.table
    assert call.max_rows == 7
    assert call.python() == (
        'session.frame("/transfer/transfers", profile_ids=["a", "b"], limit=5, order="DESC", '
        "max_rows=7)"
    )
    assert call.magic() == (
        "%paxos GET /transfer/transfers profile_ids=a profile_ids=b limit=5 order=DESC --max-rows 7"
    )
    with pytest.raises(ConfigError, match="limit must be a whole number"):
        calls.build(op, {"limit": "five"})


def test_build_refuses_a_table_for_one_object_and_a_body_for_get():
    with pytest.raises(ConfigError, match="returns one object"):
        calls.build(catalog.by_id("GetProfile"), {"profile_id": "x"}, table=True)
    with pytest.raises(ConfigError, match="sends no body"):
        calls.build(catalog.by_id("ListProfiles"), {}, '{"a": 1}')


def test_path_values_are_quoted():
    call = calls.build(catalog.by_id("GetProfile"), {"profile_id": "../x y"})
    assert call.path == "/profiles/..%2Fx%20y"


def test_the_scope_check_follows_the_form_as_it_connects(emu, make_client, ui):
    client = make_client(scopes=["funding:read_profile"])
    form = ui(
        widgets.credentials_form(
            "local", api_url=emu.api_url, token_url=emu.token_url, scopes="funding:read_profile"
        )
    )
    explorer = ui(widgets.explorer(form, search="ListProfiles"))
    assert "data-has='unknown'" in explorer.info.value  # not connected yet
    form.client_id.value, form.secret.value = client.client_id, client.client_secret
    form.connect_button.click()
    assert "data-has='yes'" in explorer.info.value


# -- a compact explorer (issue 15 item 8) ------------------------------------------------------


def test_common_parameters_first_the_rest_folded(connected, ui):
    form, _ = connected(["funding:read_profile", "transfer:read_transfer"], live=False)
    explorer = ui(widgets.explorer(form, search="ListTransfers"))
    shown = list(explorer.param_box.children)
    folded = explorer.more_params
    assert folded is not None
    assert shown[-1] is folded
    names = [f.description.rstrip(" *") for f in shown[:-1]]
    assert len(names) <= 8
    assert {"profile_ids", "statuses", "type", "limit"} <= set(names)
    total = len(catalog.by_id("ListTransfers").params)
    assert len(names) + len(folded.children[0].children) == len(explorer.params) == total > 20
    assert folded.titles[0] == f"More parameters ({total - len(names)})"
    assert folded.selected_index is None  # closed until needed
    explorer.set_params(crypto_tx_hashes=["0xabc"])  # a folded one: the fold opens
    assert folded.selected_index == 0
    assert 'crypto_tx_hashes=["0xabc"]' in explorer.python.value
    explorer.select("GetProfile")  # path parameters always come first, nothing folded
    assert explorer.more_params is None
    assert explorer.param_box.children[0].description == "profile_id *"


def test_fields_fill_the_row_without_overflowing(connected, ui):
    form, _ = connected(["funding:read_profile"], live=False)
    explorer = ui(widgets.explorer(form, search="ListTransfers"))
    texts = [f for f in explorer.params.values() if f.layout.width is not None]
    assert texts
    for field in [*texts, explorer.python, explorer.magic_line, explorer.body]:
        assert field.layout.width == "auto"  # 100% plus the widget margins overflowed


def test_a_long_result_is_a_compact_scrollable_preview(connected, ui):
    form, _ = connected(["funding:read_profile", "transfer:read_transfer"], live=False)
    explorer = ui(widgets.explorer(form, search="ListTransfers"))
    frame = explorer.run()
    assert len(frame) == 100  # max rows: the whole frame is explorer.last_result
    html = explorer.result.value
    assert "100 rows × " in html
    assert "the first 20 shown" in html
    assert html.count("<tr>") <= 21  # the header row and 20 rows, not 100
    assert "white-space:nowrap" in html  # a UUID stays on one line
    assert "max-height:" in html
    assert "overflow:auto" in html


def test_an_empty_result_shows_the_documented_columns(connected, ui):
    form, _ = connected(["funding:read_profile", "transfer:read_transfer"], live=False)
    explorer = ui(widgets.explorer(form, search="ListTransfers"))
    explorer.set_params(ref_ids="no-such-ref-id")
    frame = explorer.run()
    assert frame.shape[0] == 0
    assert frame.shape[1] > 10
    assert "0 rows × " in explorer.result.value
    assert "<th>amount</th>" in explorer.result.value
