"""Shapes and findings, without HTTP: what parity sees in an answer, and what it reports."""

from __future__ import annotations

from paxos_nb.catalog import schemas
from paxos_nb.parity.diff import compare_observations
from paxos_nb.parity.shapes import HIDDEN, parent, safe_name, shape_of, tag_of
from paxos_nb.parity.tour import Observation

TRANSFERS = schemas.for_operation("ListTransfers").response(200)


def transfer(**fields):
    base = {
        "id": "f190b163-208f-4d73-8deb-4fb8b24add00",
        "amount": "0.10000000",
        "direction": "CREDIT",
        "created_at": "2020-01-17T18:36:08.737Z",
        "metadata": {"my_reference": "order 7"},
    }
    return {**base, **fields}


def page(*records, **top):
    return {"items": list(records), **top}


def ok(body, schema=TRANSFERS, **facts):
    return Observation("ok", shape_of(body, schema), dict(facts))


def kinds(findings):
    return {(f.kind, f.field) for f in findings}


# -- tags ------------------------------------------------------------------------------------


def test_tags_are_types_and_forms_never_values():
    assert tag_of("0.10000000") == "string:decimal"
    assert tag_of(0.1) == "number"
    assert tag_of(3) == "number"
    assert tag_of("2020-01-17T18:36:08.737Z") == "string:timestamp Z"
    assert tag_of("2020-01-17T18:36:08+00:00") == "string:timestamp offset"
    assert tag_of("2020-01-17T18:36:08") == "string:timestamp no zone"
    assert tag_of("1645503272000", {"format": "date-time"}) == "string:epoch ms"
    assert tag_of("1645503272", {"format": "date-time"}) == "string:epoch s"
    assert tag_of("1645503272") == "string:decimal"  # not a date-time field: just digits
    assert tag_of("00000000-0000-0000-0000-000000000000") == "string:nil uuid"
    assert tag_of("f190b163-208f-4d73-8deb-4fb8b24add00") == "string:uuid"
    assert tag_of("") == "string:empty"
    assert tag_of("BTC") == "string"
    assert tag_of(None) == "null"
    assert tag_of(True) == "boolean"


def test_paths_merge_list_items_and_fold_map_keys():
    shape = shape_of(page(transfer(), transfer(fee="0")), TRANSFERS)
    assert shape.types["items"] == {"array"}
    assert shape.types["items[].amount"] == {"string:decimal"}
    assert shape.types["items[].fee"] == {"string:decimal"}
    # metadata is a map (additionalProperties): its keys are data, folded into {*}
    assert "items[].metadata.{*}" in shape.types
    assert not any("my_reference" in path for path in shape.types)
    assert shape.undeclared == set()
    assert parent("items[].metadata.{*}") == "items[].metadata"
    assert parent("items[]") == "items"
    assert parent("items") == ""
    assert parent("") is None


def test_keys_that_are_not_names_are_folded_and_undeclared_fields_noted():
    body = page(transfer(extra_field=1, **{"f190b163-208f-4d73-8deb-4fb8b24add00": "x"}))
    shape = shape_of(body, TRANSFERS)
    assert "items[].extra_field" in shape.undeclared
    assert "items[].{*}" in shape.types  # a uuid as a key is a value: never kept
    assert not any("f190b163" in path for path in shape.types)
    assert safe_name("next_page_cursor")
    assert not safe_name("cnryabc0123456789abcdef")  # a long hex run with digits: an id
    assert not safe_name("a b")


def test_values_outside_the_enum_are_kept_only_when_they_read_as_constants():
    body = page(transfer(direction="WITHDRAWAL"), transfer(direction="secret+/=value"))
    shape = shape_of(body, TRANSFERS)
    assert shape.outside_enum == {"items[].direction": {"WITHDRAWAL", HIDDEN}}
    assert "secret" not in repr(shape.to_dict())


# -- findings --------------------------------------------------------------------------------


def test_identical_shapes_have_no_finding():
    body = page(transfer(), next_page_cursor="abc")
    findings, notes = compare_observations(ok(body), ok(page(transfer(id="other-id"))))
    assert findings == []  # the cursor's presence depends on the data
    assert notes == []


def test_a_number_where_a_decimal_string_was_sent_is_a_type_difference():
    findings, _ = compare_observations(ok(page(transfer(amount=0.1))), ok(page(transfer())))
    (finding,) = findings
    assert (finding.kind, finding.field) == ("type", "items[].amount")
    assert (finding.reference, finding.emulator) == ("number", "string:decimal")


def test_timestamp_forms_differ():
    ref = ok(page(transfer(created_at="2020-01-17T18:36:08+00:00")))
    findings, _ = compare_observations(ref, ok(page(transfer())))
    assert kinds(findings) == {("timestamp", "items[].created_at")}


def test_fields_on_one_side_are_reported_at_the_top_with_the_spec_noted():
    ref = ok(page(transfer(secondary_status={"name": "TRAVEL_RULE_INFO_REQUESTED"})))
    emu = ok(page(transfer(invented={"a": 1})))
    findings, _ = compare_observations(ref, emu)
    assert kinds(findings) == {
        ("only in reference", "items[].secondary_status"),
        ("only in emulator", "items[].invented"),
    }
    invented = next(f for f in findings if f.field == "items[].invented")
    assert invented.note == "not in the spec"
    assert next(f for f in findings if f.field == "items[].secondary_status").note == ""


def test_records_on_one_side_only_are_a_note_not_a_difference():
    findings, notes = compare_observations(ok(page(transfer())), ok(page()))
    assert findings == []
    assert notes == ["items holds records only on the reference: their fields were not compared"]


def test_enum_values_outside_the_spec_count_only_when_one_side_sends_them():
    ref = ok(page(transfer(direction="WITHDRAWAL")))
    findings, _ = compare_observations(ref, ok(page(transfer())))
    assert kinds(findings) == {("enum", "items[].direction")}
    assert findings[0].reference == "WITHDRAWAL"
    findings, notes = compare_observations(ref, ok(page(transfer(direction="WITHDRAWAL"))))
    assert findings == []
    assert "WITHDRAWAL" in notes[0]


def test_statuses_first_then_nothing_else():
    findings, _ = compare_observations(ok(page(transfer())), Observation("501"))
    assert [(f.kind, f.reference, f.emulator, f.note) for f in findings] == [
        ("status", "ok", "501", "not emulated")
    ]
    assert compare_observations(Observation("skipped", reason="x"), Observation("501")) == (
        [],
        [],
    )


def test_paging_facts_compare_only_when_both_sides_know_them():
    ref = ok(page(transfer()), **{"cursor on the last page": "empty", "limit honoured": True})
    emu = ok(page(transfer()), **{"limit honoured": False})  # its history was too long
    findings, _ = compare_observations(ref, emu)
    assert [(f.kind, f.field, f.reference, f.emulator) for f in findings] == [
        ("paging", "limit honoured", "yes", "no")
    ]
