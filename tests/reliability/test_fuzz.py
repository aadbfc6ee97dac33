"""A spec-driven fuzz campaign against a real emulator, over every operation (issue 17).

schemathesis generates requests from an OpenAPI document built from the operations catalog
(``fuzz_openapi.py``): for each of the 111 operations, valid requests (positive mode) and
requests that break the schema on purpose (negative mode: wrong types, missing required
fields, values outside enums ...), half of them with real profile ids so they get past
"profile not found" into the handlers. Each is sent over HTTP with the demo client's token
to an emulator on loopback. Every answer must:

- not be a 5xx (501 included: every operation and every variant inside one is emulated);
- carry ``application/json`` (success) or ``application/problem+json`` (errors);
- validate against the catalog's response schema for its operation and status (Paxos's
  Problem for undeclared errors), timestamps RFC 3339 in UTC with ``Z``.

After the campaign the ledger's conservation audit must still balance to zero. The default
run is derandomized (the same cases every time, about a minute on 2 cores); ``-m slow``
draws many more, from a fresh seed each run (printed, with Hypothesis's reproduce hint on a
failure). Figures for docs/RELIABILITY.md: ``pytest tests/reliability/test_fuzz.py -rA``.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from emulator.resources.resources_schema import CatalogValidator

from paxos_nb import catalog
from paxos_nb.catalog import schemas
from paxos_nb.emulator import Emulator

from .fuzz_openapi import openapi_document

schemathesis = pytest.importorskip("schemathesis")  # the dev extra, on Python 3.11+
hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

EXAMPLES = 12  # per operation and mode in the default run
SLOW_EXAMPLES = 60  # under -m slow: about 11,000 requests
JSON, PROBLEM = "application/json", "application/problem+json"


@dataclass
class Campaign:
    """What one campaign sent and what came back."""

    operations: int = 0
    cases: Counter = field(default_factory=Counter)  # mode -> requests
    statuses: Counter = field(default_factory=Counter)  # status -> answers
    no_negative: list[str] = field(default_factory=list)  # nothing in them can be invalid
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> str:
        total = sum(self.cases.values())
        return (
            f"fuzz: {self.operations} operations, {total} requests "
            f"({self.cases['positive']} positive, {self.cases['negative']} negative), "
            f"statuses {dict(sorted(self.statuses.items()))}, "
            f"{len(self.failures)} failures, {self.seconds:.0f} s"
        )


def _can_be_invalid(operation_id: str) -> bool:
    """Whether negative mode has anything to break (a plain string path parameter has not)."""
    found = schemas.for_operation(operation_id)
    return (
        bool(found.query) or found.body is not None or any("enum" in s for s in found.path.values())
    )


def _with_real_ids(case: Any, profile: str, other: str) -> None:
    """Point every profile id of ``case`` at seeded profiles, to reach past the 404."""
    for name in list(case.path_parameters or {}):
        if name.endswith("profile_id"):
            case.path_parameters[name] = profile
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name.endswith("profile_id"):
                case.body[name] = other if name == "to_profile_id" else profile


def _problems(operation_id: str, response: Any, validator: CatalogValidator) -> list[str]:
    status = response.status_code
    problems = []
    if status >= 500:
        problems.append(f"status {status}")
    content_type = (response.headers.get("content-type") or [""])[0]
    expected = JSON if status < 400 else PROBLEM
    if content_type != expected:
        problems.append(f"Content-Type {content_type!r}, expected {expected}")
    try:
        body = response.json()
    except ValueError:
        return [*problems, f"not JSON: {response.content[:100]!r}"]
    problems += validator.validate(operation_id, status, body)[:3]
    return problems


def run_campaign(emu: Emulator, examples: int, *, seed: int | None = None) -> Campaign:
    """Fuzz every catalog operation of ``emu`` with ``examples`` cases per mode.

    ``seed`` None: derandomized (the same cases every run); else Hypothesis's seed.
    """
    schema = schemathesis.openapi.from_dict(openapi_document())
    validator = CatalogValidator()
    campaign = Campaign()
    started = time.perf_counter()
    with requests.Session() as http:
        client = emu.demo_client
        token = http.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
            timeout=10,
        ).json()["access_token"]
        target = _Target(emu.api_url, http, {"Authorization": f"Bearer {token}"}, validator)
        listed = http.get(f"{emu.api_url}/profiles", headers=target.headers, timeout=10).json()
        target.profiles = [p["id"] for p in listed["items"]][:3]

        for result in schema.get_all_operations():
            operation = result.ok()
            operation_id = operation.definition.raw["operationId"]
            campaign.operations += 1
            modes = [schemathesis.GenerationMode.POSITIVE]
            if _can_be_invalid(operation_id):
                modes.append(schemathesis.GenerationMode.NEGATIVE)
            else:
                campaign.no_negative.append(operation_id)
            for mode in modes:
                run = hypothesis.given(
                    case=operation.as_strategy(generation_mode=mode),
                    real=st.booleans(),
                    profile=st.sampled_from(target.profiles),
                )(target.checker(operation_id, mode.value, campaign))
                run = hypothesis.settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,  # nothing written under the repository
                    derandomize=seed is None,
                    suppress_health_check=list(hypothesis.HealthCheck),
                )(run)
                if seed is not None:
                    run = hypothesis.seed(seed)(run)
                try:
                    run()
                except Exception as exc:  # shrunk to a minimal case: record it, keep going
                    notes = "\n".join(getattr(exc, "__notes__", []))
                    campaign.failures.append(f"{operation_id} ({mode.value}): {exc}\n{notes}")
    campaign.seconds = time.perf_counter() - started
    return campaign


@dataclass
class _Target:
    """The emulator under fuzz: where to send, with what token, how to judge the answer."""

    api_url: str
    http: requests.Session
    headers: dict[str, str]
    validator: CatalogValidator
    profiles: list[str] = field(default_factory=list)

    def checker(self, operation_id: str, mode: str, campaign: Campaign) -> Callable[..., None]:
        def check(case: Any, real: bool, profile: str) -> None:
            if real:
                other = self.profiles[(self.profiles.index(profile) + 1) % len(self.profiles)]
                _with_real_ids(case, profile, other)
            response = case.call(
                base_url=self.api_url, session=self.http, headers=self.headers, timeout=30
            )
            campaign.cases[mode] += 1
            campaign.statuses[response.status_code] += 1
            problems = _problems(operation_id, response, self.validator)
            sent = response.request
            assert not problems, (
                f"{sent.method} {sent.url} {(sent.body or b'')[:300]!r} -> "
                f"{response.status_code} {response.content[:300]!r}: {problems}"
            )

        return check


def _campaign(examples: int, seed: int | None = None) -> Campaign:
    with Emulator(seed=0, rate_limits=False) as emu:
        campaign = run_campaign(emu, examples, seed=seed)
        audit = emu.ledger.audit()
    print(campaign.figures())  # for docs/RELIABILITY.md (-s or -rA)
    assert not campaign.failures, "\n".join(campaign.failures)
    unbalanced = {asset: line["difference"] for asset, line in audit.items() if line["difference"]}
    assert not unbalanced, f"money not conserved after the campaign: {unbalanced}"
    assert campaign.operations == len(catalog.operations())  # every one
    return campaign


def test_fuzz_every_operation():
    campaign = _campaign(EXAMPLES)
    assert campaign.cases["negative"] > campaign.operations  # both modes ran
    assert campaign.statuses[400] > 0  # the broken requests were refused, by name


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_fuzz_every_operation_long():
    seed = int(os.environ.get("FUZZ_SEED") or random.randrange(2**32))
    print(f"fuzz seed {seed} (FUZZ_SEED={seed} repeats this run)")
    _campaign(SLOW_EXAMPLES, seed)
