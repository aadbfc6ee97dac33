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


def test_widget_outputs_carry_a_static_picture():
    """Without widget state (above) a saved widget output is blank wherever no kernel runs
    (GitHub, nbviewer, an HTML export): each carries a picture of the widget (issue 15 item 7)."""
    views = [o["data"] for o in _outputs() if WIDGET_VIEW in o.get("data", {})]
    assert len(views) >= 4
    for data in views:
        picture = "".join(data.get("text/html", ""))
        assert "paxos-nb-snapshot" in picture, "".join(data["text/plain"])
    pictures = " ".join("".join(d["text/html"]) for d in views)
    for shown in ("Client ID", "Connect", "Least privilege", "Renew", "ListProfiles"):
        assert shown in pictures


def test_the_tutorial_leaves_its_widgets_usable_after_run_all():
    """Closing them in the last cell blanked every widget after Run All (item 7)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for source in code:
        assert ".close()" not in source, source
        assert "emu.stop()" not in source, source
