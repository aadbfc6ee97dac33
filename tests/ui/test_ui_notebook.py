"""The committed 09 notebook: widget outputs nbval can compare, and no stored widget state."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09-jupyter-ui.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RERUN = (
    "re-run it from notebooks/ with PAXOS_NB_ENV_FILE=none jupyter nbconvert --to notebook "
    "--execute --inplace --ExecutePreprocessor.record_timing=False "
    "--ExecutePreprocessor.store_widget_state=False 09-jupyter-ui.ipynb"
)


def _outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        yield from cell.get("outputs", [])


def test_no_widget_state_is_stored():
    """Saved widget state would hold every typed value (the form's fields) and weigh ~0.5 MB."""
    metadata = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["metadata"]
    assert "widgets" not in metadata, f"09-jupyter-ui.ipynb stores widget state: {RERUN}"


def test_widget_outputs_carry_a_short_stable_text_for_nbval():
    """nbval skips the widget-view data (random model ids) and compares text/plain: ours is
    a one-line summary, never ipywidgets' long trait dump."""
    views = [o["data"] for o in _outputs() if WIDGET_VIEW in o.get("data", {})]
    assert len(views) >= 4  # form, picker, token panel, explorer
    for data in views:
        text = "".join(data["text/plain"])
        assert text.startswith("<"), text
        assert text.endswith(">"), text
        assert text.split(":")[0].lstrip("<") in {
            "CredentialsForm",
            "ScopePicker",
            "TokenPanel",
            "Explorer",
        }
