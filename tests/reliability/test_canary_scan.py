"""Canary scan: run every notebook and the CLI at DEBUG against canary credentials, then
search everything they produced for every secret of the run. The figure is 0 hits.

One run per module (``canary_run.run``): ``paxos-nb emulator --clients`` serves two canary
clients (unique secrets, one canary signing key); every notebook in ``notebooks/`` and a
self-test notebook execute against it through ``px.connect()`` with the credentials in the
environment, verbose tracebacks and every logger at DEBUG; the CLI commands run at DEBUG
too. Secrets searched: the canary secrets, every access token any emulator issued during the
run, every client secret any emulator registered, everything paxos_nb registered for
redaction, and the private key; each in raw, JSON-escaped, URL-encoded and base64 forms.
"""

from __future__ import annotations

import copy
import json

import nbformat
import pytest

from . import canary, canary_run

NOTEBOOK_NAMES = [path.name for path in canary_run.notebooks()]
ERROR_TAG = "raises-exception"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> canary_run.CanaryRun:
    return canary_run.run(tmp_path_factory.mktemp("canary"))


def _hits_report(hits: list[canary.Hit]) -> str:
    shown = "\n".join(f"  {hit}" for hit in hits[:40])
    return f"{len(hits)} secret(s) found:\n{shown}"


def test_no_secret_anywhere(run):
    texts = run.texts()
    needles = run.needles()
    hits = canary.scan(texts, needles)
    used = [name for name in run.executed if run.used_canary(f"notebook {name}")]
    print(  # the figures for docs/RELIABILITY.md (shown with -s or -rA)
        f"canary scan: {len(texts)} texts, {sum(map(len, texts.values()))} chars, "
        f"{len({label for label, _ in needles})} secrets, {len(needles)} needles, "
        f"{len(run.tokens())} tokens, {len(run.executed)} notebooks "
        f"({len(used)} connected with the canary credentials), "
        f"{len(run.jobs)} processes, {run.seconds:.0f} s, {len(hits)} hits"
    )
    assert hits == [], _hits_report(hits)


def test_no_runtime_secret_in_a_notebook_source(run):
    """Sources are not scanned above; run-time secrets must not have reached them either."""
    runtime = dict(run.secrets) | {f"token {i}": t for i, t in enumerate(sorted(run.tokens()))}
    needles = canary.needles_of(runtime)
    texts = {name: canary.sources_of(path) for name, path in run.executed.items()}
    assert canary.scan(texts, needles) == []


def test_the_run_really_exercised_the_secrets(run):
    """A scan of nothing finds nothing: prove secrets flowed and DEBUG logs were written."""
    stats = run.emulator_stats["token_requests"]
    tokens = run.tokens()
    assert stats["granted"] >= 8  # the CLI commands alone fetch 8 tokens from it
    assert run.used_canary(f"notebook {canary_run.SELFTEST}")
    assert len(tokens) >= stats["granted"]  # every token the canary emulator issued, and more
    assert stats["errors"].get("invalid_client", 0) >= 2  # the wrong-secret paths ran
    logs = "\n".join(
        job.log.read_text() for job in run.jobs.values() if job.log and job.log.exists()
    )
    # requests-oauthlib logs the token request body (with the secret) and the token response
    # at DEBUG: those lines exist, and were scrubbed.
    assert "Request body was" in logs
    assert "[redacted]" in logs
    assert " DEBUG " in logs
    recorded_kinds = {r["kind"] for r in run.recorded}
    assert {"token", "client_secret", "registered"} <= recorded_kinds


@pytest.mark.parametrize(
    "name", [canary_run.SELFTEST, *NOTEBOOK_NAMES], ids=[canary_run.SELFTEST, *NOTEBOOK_NAMES]
)
def test_notebook_runs_with_any_credentials(run, name):
    """Each notebook runs top to bottom against canary credentials (errors only where tagged)."""
    job = run.jobs[f"notebook {name}"]
    assert name in run.executed, f"{name} was not executed: {job.stderr[-2000:]}"
    nb = nbformat.read(run.executed[name], as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells[1:], start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        tagged = ERROR_TAG in cell.metadata.get("tags", [])
        if errors and not tagged:
            problems.append(f"cell {index}: {errors[0]['ename']}: {errors[0]['evalue'][:300]}")
        if tagged and not errors and cell.cell_type == "code":
            problems.append(f"cell {index} is tagged {ERROR_TAG} but raised nothing")
    assert nb.metadata.get("canary_run_error") is None, nb.metadata["canary_run_error"]
    assert problems == [], f"{name} with canary credentials:\n" + "\n".join(problems)
    assert job.status == 0


@pytest.mark.parametrize("name", canary_run.CLI_NAMES)
def test_cli_command(run, name):
    job = run.jobs[f"cli {name}"]
    assert job.status == job.expect, (
        f"exit {job.status}\n{job.stdout[-1500:]}\n{job.stderr[-1500:]}"
    )
    if job.expect:
        assert "error: " in job.stderr or "✗" in job.stdout  # one explained line, not a crash
    assert "Traceback" not in job.stderr


def test_emulator_command_stopped_cleanly(run):
    job = run.jobs["emulator"]
    assert job.status == 0, job.stderr[-2000:]
    assert "API URL:" in job.stdout
    assert "stopped" in job.stdout


# -- the scanner itself ------------------------------------------------------------------------


def _plant(path, text, tmp_path):
    nb = nbformat.read(path, as_version=4)
    planted = copy.deepcopy(nb)
    planted.cells[-1].outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))
    out = tmp_path / "planted.ipynb"
    nbformat.write(planted, out)
    return out


def test_a_planted_canary_is_found_in_every_form(run, tmp_path):
    token = sorted(run.tokens())[0]
    executed = run.executed[canary_run.SELFTEST]
    needles = canary.needles_of({"token": token})
    assert {form for _, form in needles} >= {"raw", "json", "url-all", "base64", "base64+1"}
    for (_, form), text in needles.items():
        planted = _plant(executed, f"leaked here: <{text}>", tmp_path)
        hits = canary.scan(canary.notebook_texts(planted), needles)
        assert ("token", form) in {(h.needle, h.form) for h in hits}, form
    # inside a longer base64 text, as an HTTP Basic header carries id:secret
    basic = canary.forms(f"some-client-id:{token}")["base64"]
    hits = canary.scan({"log": f"Authorization: Basic {basic}"}, needles)
    assert hits, "a secret inside Basic credentials was not found"
    # the private key, however it is printed
    key_needles = {("key", form): text for form, text in canary.key_needles(run.key).items()}
    for text in (run.key.private_pem, json.dumps(run.key.private_pem)):
        assert canary.scan({"out": text}, key_needles)
    # and the unmodified run has none of them
    assert canary.scan(canary.notebook_texts(executed), needles) == []
