"""Hygiene of the committed tutorial notebooks: executed in order, on python3, leaking nothing.

Every tutorial (``notebooks/tutorials.txt``; a user's own notebook there is left alone) is
committed WITH its outputs (they are the rendered tutorial), so
its outputs and metadata are scanned for what must never be published:

* token-shaped strings: the emulator issues Hydra-shaped opaque tokens, two 43-character
  base64url parts joined by ``.``; and whatever follows ``Bearer `` in a header;
* strings shaped like the emulator's client secrets (``secrets.token_urlsafe(32)``: 43
  base64url characters), and any ``client_secret=`` / ``"client_secret": `` value that is not
  a placeholder or masked (``[redacted]``, ``[set]``, ``'********'``, ``your-client-secret``);
* PEM private key blocks;
* ipywidgets state (or a widget repr) holding a password value.

And the shape of a committed notebook: kernelspec ``python3``, every code cell executed,
execution counts 1, 2, 3... top to bottom (a gap or a step back means cells were run out of
order), outputs present, no per-cell execution timing metadata.

The checker itself is tested on planted notebooks, with a real token and a real client secret
from the emulator and a real private key, so it cannot pass by matching nothing. Problems are
reported with the offending value masked: a failing test must not print the secret it found.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[2]
# The tutorials the project ships (notebooks/tutorials.txt), not whatever else is there.
NOTEBOOKS = [
    ROOT / "notebooks" / line.strip()
    for line in (ROOT / "notebooks" / "tutorials.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

# Output data that is binary (base64); text (including SVG) is scanned.
BINARY = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
TIMING_KEYS = ("execution", "ExecuteTime")

_B64 = r"A-Za-z0-9_\-"
# Not inside a longer base64url run, and not one segment of a longer dotted string (a JWS).
_START = rf"(?<![{_B64}])(?<![{_B64}]\.)"
_END = rf"(?![{_B64}])(?!\.[{_B64}])"
TOKEN = re.compile(rf"{_START}[{_B64}]{{43}}\.[{_B64}]{{43}}{_END}")
SECRET_43 = re.compile(rf"{_START}[{_B64}]{{43}}{_END}")
BEARER = re.compile(r"\bBearer\s+([^\s\"'<>,;]+)", re.IGNORECASE)
CLIENT_SECRET = re.compile(
    r"client_secret[\"']?\s*[:=]\s*[\"']?"
    r"(\[[^\]]*\]|\([^)]*\)|<[^>]*>|\{[^}]*\}|[^\s\"'<>,;&(){}\[\]]*)",
    re.IGNORECASE,
)
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\s*(?:[A-Za-z0-9+/=]\s*){40,}")
PASSWORD_REPR = re.compile(r"Password\([^)]*value='([^']+)'")

# Values that stand for a secret without being one.
PLACEHOLDER = re.compile(
    r"^(?:|\[[a-z ]+\]|\([a-z ]+\)|<[^>]*>|\{[^}]*\}|\.\.\.|…|[*•xX]+"
    r"|[*•]{3,}[\w-]{0,4}"  # paxos_nb.redact.mask: '••••9f3c'
    r"|none|null|changeme|your[-_][\w-]*|\$\{?\w+\}?)$",
    re.IGNORECASE,
)
CODE_NAME = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$")  # `creds.client_secret`
AUTH_PARAM = re.compile(r"^(?:realm|error|error_description|error_uri|scope)=", re.IGNORECASE)


def masked(value: str) -> str:
    """A trace of a found value that does not leak it."""
    return f"{value[:4]}… ({len(value)} chars)"


def _looks_like_secret_43(value: str) -> bool:
    # Mixed case: a random 43-character secret lacks it with odds of about 1e-10, while
    # snake_case names and hex digests never have it. (The emulator's Solana addresses are
    # base58 of 44 characters, so they do not reach this check.)
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def _is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.match(value) or CODE_NAME.match(value))


def scan_text(text: str) -> list[str]:
    """Every secret-shaped thing in one string, described with its value masked."""
    found = [f"token-shaped string {masked(m.group())}" for m in TOKEN.finditer(text)]
    found += [
        f"string shaped like a client secret {masked(m.group())}"
        for m in SECRET_43.finditer(text)
        if _looks_like_secret_43(m.group())
    ]
    for m in BEARER.finditer(text):
        value = m.group(1)
        if (
            len(value) >= 8
            and not _is_placeholder(value)
            and not AUTH_PARAM.match(value)
            and not re.fullmatch(r"[a-z_]+", value)
        ):
            found.append(f"value after 'Bearer ' {masked(value)}")
    for m in CLIENT_SECRET.finditer(text):
        if not _is_placeholder(m.group(1)):
            found.append(f"client_secret value {masked(m.group(1))}")
    found += ["PEM private key block" for _ in PRIVATE_KEY.finditer(text)]
    found += [f"password widget value {masked(m.group(1))}" for m in PASSWORD_REPR.finditer(text)]
    return found


def _joined(value: Any) -> Any:
    """nbformat stores multi-line strings as lists of lines on disk; scan them whole."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "".join(value)
    return value


def strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """``(location, text)`` for every string inside a JSON value."""
    value = _joined(value)
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and "secret" in str(key).lower():
                yield f"{where}.{key}", f'"{key}": "{item}"'  # the key is the context
            else:
                yield from strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{where}[{index}]")


def _output_strings(output: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    for key, value in output.items():
        if key == "data":
            for mime, payload in value.items():
                if mime not in BINARY:
                    yield from strings(payload, f"{where}.data[{mime}]")
        else:
            yield from strings(value, f"{where}.{key}")


def _widget_passwords(metadata: dict[str, Any]) -> list[str]:
    state = (metadata.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json")
    models = (state or {}).get("state") or {}
    found = []
    for model_id, model in models.items():
        fields = model.get("state") or {}
        name = model.get("model_name") or fields.get("_model_name")
        if name == "PasswordModel" and fields.get("value"):
            found.append(f"widget state {model_id}: password value stored")
    return found


def check(nb: dict[str, Any]) -> list[str]:
    """Every hygiene problem of one notebook (a dict as read from its JSON)."""
    problems: list[str] = []
    metadata = nb.get("metadata") or {}
    kernel = (metadata.get("kernelspec") or {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec name is {kernel!r}, not 'python3'")
    problems += _widget_passwords(metadata)
    for where, text in strings(metadata, "metadata"):
        problems += [f"{where}: {p}" for p in scan_text(text)]

    counts, outputs = [], 0
    for index, cell in enumerate(nb.get("cells") or []):
        here = f"cell {index}"
        cell_meta = cell.get("metadata") or {}
        timing = [k for k in TIMING_KEYS if k in cell_meta]
        if timing:
            problems.append(f"{here}: execution timing metadata {timing}")
        for where, text in strings(cell_meta, f"{here}.metadata"):
            problems += [f"{where}: {p}" for p in scan_text(text)]
        if cell.get("cell_type") != "code":
            continue
        if not _joined(cell.get("source") or "").strip():
            continue  # an empty cell is never executed
        counts.append((index, cell.get("execution_count")))
        for number, output in enumerate(cell.get("outputs") or []):
            outputs += 1
            for where, text in _output_strings(output, f"{here}.outputs[{number}]"):
                problems += [f"{where}: {p}" for p in scan_text(text)]

    unrun = [index for index, count in counts if count is None]
    if unrun:
        problems.append(f"code cells {unrun} were never executed: commit the notebook executed")
    elif [count for _, count in counts] != list(range(1, len(counts) + 1)):
        got = [count for _, count in counts]
        problems.append(
            f"execution counts {got} are not 1..{len(counts)}: restart the kernel and run all "
            "cells top to bottom"
        )
    if counts and not outputs:
        problems.append("no outputs at all: commit the notebook executed, with its outputs")
    return problems


def check_file(path: Path) -> list[str]:
    return check(json.loads(path.read_text(encoding="utf-8")))


# -- the committed notebooks ------------------------------------------------------------------


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, f"no notebooks listed in {ROOT / 'notebooks' / 'tutorials.txt'}"
    for path in NOTEBOOKS:
        assert path.is_file(), f"{path.name} is listed in tutorials.txt but does not exist"
    on_disk = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    assert on_disk <= {p.name for p in NOTEBOOKS}, "a numbered tutorial is not listed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_is_clean(path):
    problems = check_file(path)
    assert not problems, (
        f"{path.name}:\n  "
        + "\n  ".join(problems)
        + (
            "\n(execute it in place from notebooks/ with PAXOS_NB_ENV_FILE=none and "
            "--ExecutePreprocessor.record_timing=False)"
        )
    )


# -- the checker finds what it must -------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator_secrets():
    """A real access token, the demo client's secret and a private key PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from paxos_nb.emulator import Emulator

    with Emulator(seed=0, rate_limits=False) as emu:
        demo = emu.demo_client
        response = requests.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": demo.client_id,
                "client_secret": demo.client_secret,
                "scope": "funding:read_profile",
            },
            timeout=10,
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        secret = demo.client_secret
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    return {"token": token, "secret": secret, "pem": pem}


# Output that must NOT be reported: the masked and placeholder forms the notebooks print,
# and look-alikes (a base58 Solana address, a tx hash, UUIDs, a JWS, a WWW-Authenticate).
CLEAN_TEXT = "\n".join(
    [
        "Credentials(environment='local', client_id='••••demo', client_secret=[set])",
        "ApiClient(client_id='office-only', client_secret='********', scopes=<1 scopes>)",
        "{'client_secret': '[redacted]', 'client_id': 'paxos-nb-demo'}",
        "PAXOS_CLIENT_SECRET=your-client-secret",
        "client_secret=creds.client_secret",
        'WWW-Authenticate: Bearer realm="paxos", error="invalid_token"',
        "Authorization: Bearer [redacted]",
        "Authorization: Bearer ••••9f3c client_secret=••••Xy-1",  # paxos_nb.redact.mask
        "send Authorization: Bearer <access token>",
        "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsP",  # an emulator Solana address (44)
        "0x6d7ddc14f9bbce2af4b52a5b2be7650915f21ca406e8a1f0e9b1c4d2e3f4a5b6",
        "44fc2703-cb94-4a6c-89f0-d0e82966a415 tb1qzv7evjfql7r98r8fjhnuxlygy34s2gypmhsr37",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6IjEyMyJ9.eyJwYXhvcy5jb20vdGltZXN0YW1wIjoiMTcwMDAw.MEUCIQ",
        "[43, 43] -----BEGIN PUBLIC KEY----- transfer:read_fiat_deposit_instructions",
    ]
)


def clean_notebook() -> dict[str, Any]:
    nb = new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        }
    )
    nb.cells = [
        new_markdown_cell("# A notebook\nSend `Authorization: Bearer <token>`."),
        new_code_cell(
            "print(text)",
            execution_count=1,
            outputs=[new_output("stream", name="stdout", text=CLEAN_TEXT)],
        ),
        new_code_cell(""),  # empty: never executed, allowed
        new_code_cell(
            "session",
            execution_count=2,
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/plain": "<PaxosSession>", "image/png": "iVBORw0KGgo="},
                    execution_count=2,
                )
            ],
        ),
    ]
    return json.loads(nbformat.writes(nb))


def _stdout(nb: dict[str, Any], text: str) -> None:
    nb["cells"][1]["outputs"].append({"output_type": "stream", "name": "stdout", "text": text})


def _html(nb: dict[str, Any], text: str) -> None:
    nb["cells"][3]["outputs"][0]["data"]["text/html"] = [line + "\n" for line in text.split("\n")]


def _error(nb: dict[str, Any], text: str) -> None:
    nb["cells"][3]["outputs"].append(
        {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": [text]}
    )


def _password_widget(nb: dict[str, Any], value: str) -> None:
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                "4f1c": {
                    "model_name": "PasswordModel",
                    "model_module": "@jupyter-widgets/controls",
                    "model_module_version": "2.0.0",
                    "state": {"_model_name": "PasswordModel", "value": value},
                }
            },
        }
    }


def _counts(nb: dict[str, Any], first: int | None, second: int | None) -> None:
    nb["cells"][1]["execution_count"] = first
    nb["cells"][3]["execution_count"] = second
    nb["cells"][3]["outputs"][0]["execution_count"] = second


def _no_outputs(nb: dict[str, Any]) -> None:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []


Plant = Callable[[dict[str, Any], dict[str, str]], None]
PLANTS: dict[str, tuple[Plant, str]] = {
    "emulator token in stdout": (lambda nb, s: _stdout(nb, f"token: {s['token']}"), "token"),
    "bearer header in html": (
        lambda nb, s: _html(nb, f"<td>Authorization: Bearer {s['token']}</td>"),
        "Bearer",
    ),
    "non-hydra bearer token": (
        lambda nb, s: _stdout(nb, "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.Zm9vYmFy"),
        "Bearer",
    ),
    "bare emulator secret": (lambda nb, s: _stdout(nb, s["secret"]), "client secret"),
    "client_secret= in a repr": (
        lambda nb, s: _stdout(nb, "Credentials(client_secret=Sandbox-Secret-2024!)"),
        "client_secret value",
    ),
    "client_secret in notebook metadata": (
        lambda nb, s: nb["metadata"].update(env={"client_secret": "hunter2-Prod-99"}),
        "client_secret value",
    ),
    "secret in cell metadata": (
        lambda nb, s: nb["cells"][1]["metadata"].update(note=f"client_secret={s['secret']}"),
        "client_secret value",
    ),
    "private key in a traceback": (lambda nb, s: _error(nb, s["pem"]), "PEM private key"),
    "password widget state": (lambda nb, s: _password_widget(nb, "hunter2"), "password"),
    "password widget repr": (
        lambda nb, s: _stdout(nb, "Password(value='hunter2', description='Secret')"),
        "password",
    ),
    "wrong kernelspec": (
        lambda nb, s: nb["metadata"]["kernelspec"].update(name="python2"),
        "kernelspec",
    ),
    "execution count gap": (lambda nb, s: _counts(nb, 1, 3), "execution counts"),
    "cells run out of order": (lambda nb, s: _counts(nb, 2, 1), "execution counts"),
    "unexecuted cell": (lambda nb, s: _counts(nb, None, None), "never executed"),
    "no outputs": (lambda nb, s: _no_outputs(nb), "no outputs"),
    "execution timing metadata": (
        lambda nb, s: nb["cells"][1]["metadata"].update(
            execution={"iopub.execute_input": "2026-01-01T00:00:00Z"}
        ),
        "timing",
    ),
}


def test_clean_notebook_passes(tmp_path):
    path = tmp_path / "clean.ipynb"
    path.write_text(json.dumps(clean_notebook()), encoding="utf-8")
    assert check_file(path) == []


@pytest.mark.parametrize("name", list(PLANTS))
def test_planted_problem_is_found(name, tmp_path, emulator_secrets):
    plant, expected = PLANTS[name]
    nb = copy.deepcopy(clean_notebook())
    plant(nb, emulator_secrets)
    path = tmp_path / "planted.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = check_file(path)
    assert any(expected in p for p in problems), problems
    report = "\n".join(problems)
    for secret in emulator_secrets.values():  # the report never repeats what it found
        for piece in [secret, *secret.splitlines()]:
            assert len(piece) < 40 or piece not in report


def test_real_emulator_artifacts_have_the_scanned_shapes(emulator_secrets):
    """The shapes above are the emulator's, not a guess: a drift would blind the scan."""
    assert TOKEN.fullmatch(emulator_secrets["token"])
    assert SECRET_43.fullmatch(emulator_secrets["secret"])
    assert scan_text(emulator_secrets["secret"])
