"""The canary run: one ``paxos-nb emulator`` with canary clients, every notebook, the CLI.

:func:`run` starts ``paxos-nb emulator --clients canary.json`` (through ``run_cli.py``, so
it logs at DEBUG and records the tokens it issues), executes every notebook in
``notebooks/`` plus a small self-test notebook against it, runs the CLI commands, stops the
emulator and returns everything produced (executed notebooks, logs, stdout, stderr) with
every secret seen by any process. The test module scans it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import requests

from paxos_nb import catalog

from . import canary
from .canary_hooks import LOG_VAR, SECRETS_VAR

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
PYTHON = sys.executable
SELFTEST = "canary-selftest.ipynb"
NB_CLIENT, CLI_CLIENT = "canary-notebooks", "canary-cli"
CLI_SCOPES = (
    "funding:read_profile transfer:read_transfer transfer:read_deposit_address "
    "transfer:write_deposit_address"
)


CLI_NAMES = (
    "doctor canary.env", "doctor demo.env", "doctor wrong.env", "scopes", "scopes --preset",
    "scopes plan", "call profiles", "call transfers --raw", "call signed write", "call 404",
    "call missing scope", "call wrong secret", "call env vars", "call embedded",
)  # fmt: skip


def notebooks() -> list[Path]:
    """The tutorials the project ships (notebooks/tutorials.txt), not a user's scratch work."""
    lines = (NOTEBOOK_DIR / "tutorials.txt").read_text(encoding="utf-8").splitlines()
    return [NOTEBOOK_DIR / n.strip() for n in lines if n.strip() and not n.startswith("#")]


@dataclass
class Job:
    """One process of the run and what it left behind."""

    name: str
    argv: list[str]
    env: dict[str, str]
    expect: int | None = 0
    status: int | None = None
    stdout: str = ""
    stderr: str = ""
    log: Path | None = None
    secrets_file: Path | None = None
    seconds: float = 0.0


@dataclass
class CanaryRun:
    work: Path
    secrets: dict[str, str]  # label -> canary secret
    key: canary.CanaryKey
    executed: dict[str, Path] = field(default_factory=dict)  # notebook name -> executed copy
    jobs: dict[str, Job] = field(default_factory=dict)
    recorded: list[dict[str, str]] = field(default_factory=list)
    emulator_stats: dict = field(default_factory=dict)
    seconds: float = 0.0

    def texts(self) -> dict[str, str]:
        """Everything to scan: executed notebooks, logs, stdout and stderr of every process."""
        out: dict[str, str] = {}
        for path in self.executed.values():
            out.update(canary.notebook_texts(path))
        for job in self.jobs.values():
            out[f"{job.name} stdout"] = job.stdout
            out[f"{job.name} stderr"] = job.stderr
            if job.log is not None and job.log.exists():
                out[f"{job.name} log"] = job.log.read_text(encoding="utf-8", errors="replace")
        return out

    def needles(self) -> dict[tuple[str, str], str]:
        named = dict(self.secrets)
        seen = set(named.values())
        for i, item in enumerate(self.recorded):
            value = item["value"]
            if value not in seen and len(value) >= canary.MIN_FORM:
                seen.add(value)
                named[f"{item['kind']} #{i} (pid {item['pid']})"] = value
        needles = canary.needles_of(named)
        for form, text in canary.key_needles(self.key).items():
            needles[("canary private key", form)] = text
        return needles

    def tokens(self) -> set[str]:
        return {r["value"] for r in self.recorded if r["kind"] == "token"}

    def used_canary(self, job_name: str) -> bool:
        """Whether that process handled the notebook canary secret (it connected with it)."""
        job = self.jobs[job_name]
        recorded = canary.read_recorded([job.secrets_file]) if job.secrets_file else []
        return any(self.secrets["notebook client secret"] in r["value"] for r in recorded)


# -- processes --------------------------------------------------------------------------------


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAXOS_")}
    env["PAXOS_NB_ENV_FILE"] = "none"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _with_files(job: Job, work: Path) -> Job:
    job.log = work / f"{job.name}.log"
    job.secrets_file = work / f"{job.name}.secrets.jsonl"
    job.env = {**job.env, LOG_VAR: str(job.log), SECRETS_VAR: str(job.secrets_file)}
    return job


def _run(job: Job, timeout: float) -> Job:
    started = time.monotonic()
    try:
        done = subprocess.run(
            job.argv,
            env=job.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=job.env.get("CANARY_CWD", str(ROOT)),
            check=False,
        )
        job.status, job.stdout, job.stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        job.status = -1
        job.stdout = (exc.stdout or b"").decode(errors="replace")
        job.stderr = (exc.stderr or b"").decode(errors="replace") + f"\nTIMEOUT after {timeout} s"
    job.seconds = time.monotonic() - started
    return job


class _Emulator:
    """``paxos-nb emulator`` in a subprocess; its output drained by threads until it stops."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.proc = subprocess.Popen(
            job.argv,
            env=job.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=str(ROOT),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self.threads = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self.out, True)),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self.err, False)),
        ]
        for thread in self.threads:
            thread.start()

    def _drain(self, stream, sink: list[str], announce: bool) -> None:
        for line in stream:
            sink.append(line)
            if announce:
                self.lines.put(line)

    def url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if "API URL:" in line:
                return line.split("API URL:", 1)[1].strip().removesuffix("/v2")
        raise RuntimeError("paxos-nb emulator did not start:\n" + "".join(self.out + self.err))

    def stop(self) -> Job:
        self.proc.send_signal(signal.SIGTERM)  # our own child, by its pid
        try:
            self.job.status = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.job.status = self.proc.wait()
        for thread in self.threads:
            thread.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.job.stdout, self.job.stderr = "".join(self.out), "".join(self.err)
        return self.job


# -- the self-test notebook --------------------------------------------------------------------


def selftest_notebook(path: Path, padded_env: Path) -> Path:
    """A notebook doing what users do with credentials, including failing in verbose mode."""
    cells = [
        "import paxos_nb as px\nsession = px.connect()\nsession",
        "session.token",
        "print(repr(session), repr(session.creds), repr(session.token))",
        'session.frame("/transfer/transfers", max_rows=250, progress=False).head()',
        'session.get("/profiles")',
        "import logging\n"
        "logging.getLogger('paxos_nb').debug('creds %r token %r', session.creds, session.token)",
        # each of these raises; verbose tracebacks print the local variables of every frame
        f"px.Credentials.from_env({str(padded_env)!r})",
        "px.Credentials(session.creds.client_id, ' ' + session.creds.client_secret, 'local',\n"
        "               api_url=session.api_url)",
        "wrong = px.Credentials(session.creds.client_id, session.creds.client_secret[::-1],\n"
        "                       'local', api_url=session.api_url)\n"
        "px.connect(wrong, scopes=['funding:read_profile'])",
        'session.get("/orders", params={"limit": "not-a-number"})',
    ]
    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        if i >= 6:
            cell.metadata["tags"] = ["raises-exception"]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


# -- the run ----------------------------------------------------------------------------------


def run(work: Path, workers: int = 2) -> CanaryRun:
    started = time.monotonic()
    secrets = {
        "notebook client secret": canary.canary_secret("nb"),
        "CLI client secret": canary.canary_secret("cli", exotic=False),
        "wrong secret": canary.canary_secret("wrong", exotic=False),
    }
    key = canary.canary_key()
    result = CanaryRun(work, secrets, key)
    key_file = work / "canary-signing.pem"
    key_file.write_text(key.private_pem)
    key_file.chmod(0o600)
    kids = {NB_CLIENT: str(uuid.uuid4()), CLI_CLIENT: str(uuid.uuid4())}
    clients = [
        {
            "client_id": NB_CLIENT,
            "client_secret": secrets["notebook client secret"],
            "nickname": "canary: notebooks",
            "client_public_keys": [{"public_key": key.public_pem, "id": kids[NB_CLIENT]}],
        },
        {
            "client_id": CLI_CLIENT,
            "client_secret": secrets["CLI client secret"],
            "nickname": "canary: CLI (signing enforced)",
            "client_public_keys": [{"public_key": key.public_pem, "id": kids[CLI_CLIENT]}],
            "enforce_request_signing": True,
        },
    ]
    clients_file = work / "canary-clients.json"
    clients_file.write_text(json.dumps(clients))
    demo_env = work / "demo.env"
    base = _base_env()
    cli = [PYTHON, str(HERE / "run_cli.py")]

    emu_job = _with_files(
        Job(
            "emulator",
            [*cli, "emulator", "--clients", str(clients_file), "--env-file", str(demo_env)],
            dict(base),
        ),
        work,
    )
    emulator = _Emulator(emu_job)
    try:
        origin = emulator.url()
        api_url, token_url = origin + "/v2", origin + "/oauth2/token"
        jobs = _notebook_jobs(work, base, api_url, token_url, key_file, kids, secrets)
        jobs += _cli_jobs(work, base, api_url, token_url, key_file, kids, secrets, demo_env)
        jobs = [_with_files(job, work) for job in jobs]
        jobs.sort(key=lambda j: not j.name.startswith("notebook"))  # the long ones first
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for job in pool.map(lambda j: _run(j, timeout=600), jobs):
                result.jobs[job.name] = job
        result.emulator_stats = requests.get(origin + "/_emulator/stats", timeout=10).json()
    finally:
        result.jobs["emulator"] = emulator.stop()
    for job in result.jobs.values():
        executed = job.env.get("CANARY_EXECUTED")
        if executed and Path(executed).exists():
            result.executed[job.name.removeprefix("notebook ")] = Path(executed)
    result.recorded = canary.read_recorded(sorted(work.glob("*.secrets.jsonl")))
    result.seconds = time.monotonic() - started
    return result


def _notebook_jobs(work, base, api_url, token_url, key_file, kids, secrets) -> list[Job]:
    env = {
        **base,
        "PAXOS_ENV": "local",
        "PAXOS_API_URL": api_url,
        "PAXOS_TOKEN_URL": token_url,
        "PAXOS_CLIENT_ID": NB_CLIENT,
        "PAXOS_CLIENT_SECRET": secrets["notebook client secret"],
        "PAXOS_SCOPES": " ".join(s.scope for s in catalog.scopes()),
        "PAXOS_SIGNING_KEY_FILE": str(key_file),
        "PAXOS_SIGNING_KID": kids[NB_CLIENT],
    }
    padded = work / "padded.env"
    padded.write_text(
        f"PAXOS_ENV=local\nPAXOS_API_URL={api_url}\nPAXOS_CLIENT_ID={NB_CLIENT}\n"
        f"PAXOS_CLIENT_SECRET=' {secrets['notebook client secret']}'\n"
    )
    selftest_dir = work / "selftest"
    selftest_dir.mkdir()
    sources = [(selftest_notebook(selftest_dir / SELFTEST, padded), selftest_dir)]
    sources += [(path, NOTEBOOK_DIR) for path in notebooks()]
    jobs = []
    for path, cwd in sources:
        executed = work / f"executed-{path.name}"
        argv = [PYTHON, str(HERE / "run_notebook.py"), str(path), str(executed), str(cwd)]
        jobs.append(Job(f"notebook {path.name}", argv, {**env, "CANARY_EXECUTED": str(executed)}))
    return jobs


def _env_file(path: Path, lines: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}='{v}'\n" for k, v in lines.items()))
    path.chmod(0o600)
    return path


def _cli_jobs(work, base, api_url, token_url, key_file, kids, secrets, demo_env) -> list[Job]:
    common = {
        "PAXOS_ENV": "local",
        "PAXOS_API_URL": api_url,
        "PAXOS_TOKEN_URL": token_url,
        "PAXOS_CLIENT_ID": CLI_CLIENT,
        "PAXOS_SCOPES": CLI_SCOPES,
        "PAXOS_SIGNING_KEY_FILE": str(key_file),
        "PAXOS_SIGNING_KID": kids[CLI_CLIENT],
    }
    good = _env_file(
        work / "canary.env", {**common, "PAXOS_CLIENT_SECRET": secrets["CLI client secret"]}
    )
    wrong = _env_file(
        work / "wrong.env", {**common, "PAXOS_CLIENT_SECRET": secrets["wrong secret"]}
    )
    with_env_vars = {
        **base,
        **common,
        "PAXOS_CLIENT_SECRET": secrets["CLI client secret"],
    }
    cli = [PYTHON, str(HERE / "run_cli.py")]
    write = json.dumps({"profile_id": "default", "crypto_network": "ETHEREUM", "ref_id": "cnry-1"})
    missing = "/transfer/transfers/00000000-0000-4000-8000-000000000000"
    good_file, wrong_file = ["--env-file", str(good)], ["--env-file", str(wrong)]
    # name -> (argv after the command name, environment, expected exit status)
    specs: dict[str, tuple[list[str], dict[str, str], int]] = {
        "doctor canary.env": (["doctor", str(good)], base, 0),
        "doctor demo.env": (["doctor", str(demo_env)], base, 0),
        "doctor wrong.env": (["doctor", str(wrong)], base, 1),
        "scopes": (["scopes"], with_env_vars, 0),
        "scopes --preset": (["scopes", "--preset", "convert"], with_env_vars, 0),
        "scopes plan": (["scopes", "ListProfiles", "POST /transfer/internal"], with_env_vars, 0),
        "call profiles": (["call", "GET", "/profiles", *good_file], base, 0),
        "call transfers --raw": (
            ["call", "GET", "/transfer/transfers", "-p", "limit=3", "--raw", *good_file],
            base,
            0,
        ),
        "call signed write": (
            ["call", "POST", "/transfer/deposit-addresses", "--json", write, *good_file],
            base,
            0,
        ),
        "call 404": (["call", "GET", missing, *good_file], base, 1),
        "call missing scope": (
            ["call", "GET", "/orders", "--scopes", "funding:read_profile", *good_file],
            base,
            1,
        ),
        "call wrong secret": (["call", "GET", "/profiles", *wrong_file], base, 1),
        "call env vars": (["call", "GET", "/profiles"], with_env_vars, 0),
        "call embedded": (["call", "GET", "/profiles"], base, 0),
    }
    assert tuple(specs) == CLI_NAMES
    return [
        Job(f"cli {name}", [*cli, *argv], dict(env), expect)
        for name, (argv, env, expect) in specs.items()
    ]
