"""paxos_nb: explore the authenticated Paxos v2 API from Jupyter.

The public face is ``__all__``. Names load on first use, so ``import paxos_nb`` stays
cheap: pandas, the emulator's server stack and ipywidgets are imported only by the features
that need them. The layers and their import rules are drawn in docs/architecture.md.
"""

from __future__ import annotations

import importlib
import logging

from . import catalog, display, errors, redact, shell_hooks
from .errors import *  # noqa: F403  (the exception tree is part of the public face)
from .notices import PaxosWarning, ResponseWarning

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
redact.install()
display.register_html_reprs()  # the UI layer draws the core objects in notebooks
shell_hooks.install()  # inside IPython: errors as short boxes, notes not as errors

# name -> module that defines it (attribute of the same name), imported on first access.
_LAZY: dict[str, str] = {
    "Credentials": "paxos_nb.config",
    "Emulator": "paxos_nb.emulator",
    "PaxosSession": "paxos_nb.session",
    "RequestSigner": "paxos_nb.signing",
    "Token": "paxos_nb.auth",
    "cidr": "paxos_nb.allowlist",
    "connect": "paxos_nb.session",
    "generate_keypair": "paxos_nb.signing",
    "load_ipython_extension": "paxos_nb.magics",  # %load_ext paxos_nb
}
_SUBMODULES: tuple[str, ...] = (
    "allowlist",
    "auth",
    "frames",
    "magics",
    "parity",
    "scopes",
    "signing",
    "widgets",
)

__all__ = [
    *errors.__all__,
    "PaxosWarning",
    "ResponseWarning",
    "__version__",
    "catalog",
    "errors",
    "redact",
    *_LAZY,
    *_SUBMODULES,
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
