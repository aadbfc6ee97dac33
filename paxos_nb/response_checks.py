"""What Paxos answers, checked against the operation's response schema after every success.

An answer that breaks the spec would otherwise surface far from its cause: a number where the
spec has a decimal string silently loses precision in a frame, a missing required field
becomes a column of NaN, a list that is not a list makes an empty page. So each answer is
checked by a compiled validator (:mod:`paxos_nb.validators`, about 1 ms for a 100-record
page) and a break gives a :class:`~paxos_nb.errors.ResponseWarning` naming the operation and
the field; the answer is still returned as it came.

What Paxos's compatibility policy calls additive is never reported: unknown fields and enum
values the catalog does not list (docs.paxos.com, "API versioning"). Silence the warnings
with ``warnings.filterwarnings("ignore", category=px.ResponseWarning)``.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from .catalog import Operation
from .notices import ResponseWarning
from .validators import describe, response_validator

__all__ = ["check_response"]

logger = logging.getLogger("paxos_nb.session")


def check_response(op: Operation, status: int, body: Any, *, stacklevel: int = 2) -> bool:
    """Warn when ``body`` (the answer to ``op`` with ``status``) breaks its schema.

    Returns
    -------
    bool
        True when the answer fits (or the spec declares no schema for it).
    """
    validator = response_validator(op.operation_id, status)
    if validator is None:
        return True
    import fastjsonschema

    try:
        validator(body)
    except fastjsonschema.JsonSchemaValueException as exc:
        failure = describe(exc, body)
        where = failure.field or "the answer"
        message = (
            f"{op.operation_id} ({op.key}) answered against the Paxos spec: {where} "
            f"{failure.problem}; the answer is returned as it came (check the API URL, or "
            "report it if it is Paxos)"
        )
        logger.warning("%s", message)
        warnings.warn(
            ResponseWarning(message, operation=op.operation_id, field=failure.field),
            stacklevel=stacklevel + 1,
        )
        return False
    return True
