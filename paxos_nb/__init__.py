"""paxos_nb: explore the authenticated Paxos v2 API from Jupyter.

The public face is listed in ``__all__``; heavy dependencies (pandas, Flask,
ipywidgets) load only when the names that need them are used.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__", "catalog"]

from . import catalog  # noqa: E402  (stdlib-only data access)
