"""The generated request/response schemas: complete, self-consistent, and equal to the spec's."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator, FormatChecker

from paxos_nb import catalog
from paxos_nb.catalog import build, build_schemas, schemas


def _refs(node, found):
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_committed_schemas_match_the_spec(root, spec_dir):
    generated = json.loads(build.dumps_compact(build.build_schema_data(spec_dir)))
    committed = json.loads((root / "paxos_nb" / "catalog" / "schemas.json").read_text())
    assert committed == generated


def test_every_operation_has_schemas():
    for op in catalog.operations():
        found = schemas.for_operation(op.operation_id)
        assert set(found.path) == {p["name"] for p in op.params if p["in"] == "path"}
        assert set(found.query) == {p["name"] for p in op.params if p["in"] == "query"}
        assert (found.body is not None) == (op.body is not None), op.operation_id
    with pytest.raises(KeyError, match="NoSuchOperation"):
        schemas.for_operation("NoSuchOperation")


def test_every_reference_resolves_and_every_schema_is_valid_draft4():
    refs = _refs(schemas.components(), set())
    for op in catalog.operations():
        found = schemas.for_operation(op.operation_id)
        _refs([found.path, found.query, found.body, found.responses], refs)
    names = {ref.rsplit("/", 1)[1] for ref in refs}
    assert all(ref.startswith("#/components/") for ref in refs)
    assert names <= set(schemas.components())
    for schema in schemas.components().values():
        Draft4Validator.check_schema(schema)


def _keywords(schema, found):
    """Every keyword used by ``schema`` and its subschemas (property names excluded)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            subs = value.values() if key == "properties" else [value]
            for sub in subs:
                _keywords(sub, found)
    elif isinstance(schema, list):
        for sub in schema:
            _keywords(sub, found)
    return found


def test_only_validation_keywords_are_kept():
    used = _keywords(list(schemas.components().values()), set())
    assert used <= set(build_schemas.KEEP) | {"$ref"}
    assert not used & {"description", "example", "title"}


def _validate(schema, value):
    validator = Draft4Validator(schemas.rooted(schema), format_checker=FormatChecker())
    return [e.message for e in validator.iter_errors(value)]


def test_a_body_schema_names_its_required_fields():
    body = schemas.for_operation("CreateInternalTransfer").body
    assert schemas.resolve(body)["required"] == [
        "amount",
        "asset",
        "from_profile_id",
        "to_profile_id",
    ]
    good = {"amount": "1.5", "asset": "USD", "from_profile_id": "a", "to_profile_id": "b"}
    assert _validate(body, good) == []
    assert _validate(body, {**good, "amount": {"x": 1}}) == ["{'x': 1} is not of type 'string'"]
    assert any("'to_profile_id' is a required property" in m for m in _validate(body, {}))


def test_query_schemas_carry_enums_and_formats():
    query = schemas.for_operation("ListTransfers").query
    assert query["statuses"]["items"]["enum"] == ["PENDING", "COMPLETED", "FAILED"]
    assert query["created_at.gte"] == {"format": "date-time", "type": "string"}
    assert "markets" in schemas.for_operation("ListPrices").required


def test_known_spec_bugs_are_corrected():
    balances = schemas.components()["ListProfileBalancesResponse"]
    assert "balances" not in balances.get("required", [])
    assert schemas.components()["BeneficiaryPerson"]["required"] == ["first_name", "last_name"]
    ticker = schemas.resolve(schemas.for_operation("GetTicker").response(200))
    assert "ETHBRL" in ticker["properties"]["market"]["enum"]
    # The identity-controls preview points error schemas at examples: they are Problems.
    forbidden = schemas.for_operation("ListIdentityControls").response(403)
    assert forbidden == {"$ref": "#/components/Problem"}


def test_responses_validate_a_spec_shaped_answer():
    profile = schemas.for_operation("GetProfile").response(200)
    answer = {"id": "3f2a", "nickname": "default", "type": "DEFAULT"}
    assert _validate(profile, answer) == []
    assert _validate(profile, {**answer, "type": "WEIRD"})
