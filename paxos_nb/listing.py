"""Lists of a session: pages, records and DataFrames of the list operations.

:class:`Listing` is the part of :class:`~paxos_nb.client.PaxosSession` that walks a list
operation's pages: the pagination family and envelope come from the catalog
(:mod:`paxos_nb.pagination`), every page is one ``self.get`` (so each is checked and sent like
any call), and :mod:`paxos_nb.frames` builds the DataFrame. The query is checked once before
the first page, where a misspelt argument of these methods themselves (``max_row=``) is
named as such; a list with no records is a frame with the documented columns
(:mod:`paxos_nb.record_schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from . import catalog
from .pagination import Pager, query_params
from .preflight import api_path, operation
from .request_checks import check_query

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Listing"]

# The paging methods' own arguments: a misspelt one lands among the query parameters, where
# the check names it ("did you mean max_rows=?").
_PAGING_ARGS = {
    name: "an argument of frame(), records() and pages()"
    for name in ("params", "max_rows", "max_pages", "progress", "amounts", "validate")
}


class Listing:
    """Pages, records and frames; mixed into :class:`~paxos_nb.client.PaxosSession`, whose
    ``get``, ``validate`` and ``progress`` it uses."""

    validate: bool
    progress: bool | None
    get: Callable[..., Any]  # PaxosSession.get

    def pager(
        self,
        path: str,
        *,
        max_pages: int = 10_000,
        progress: bool | None = None,
        validate: bool | None = None,
    ) -> Pager:
        """The :class:`~paxos_nb.pagination.Pager` for a list path (family from the catalog)."""
        rel = api_path(path)
        op = catalog.match("GET", rel)
        return Pager(
            fetch=lambda params: self.get(rel, params=params, validate=validate),
            family=op.pagination if op else None,
            envelope=op.envelope if op else (),
            envelope_all=op.envelope_all if op else False,
            max_pages=max_pages,
            progress=self.progress if progress is None else progress,
            label=rel,
        )

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_pages: int = 10_000,
        progress: bool | None = None,
        validate: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Every page of a list operation (the raw JSON of each)."""
        pager = self.pager(path, max_pages=max_pages, progress=progress, validate=validate)
        return pager.pages(self._paging_params(path, params, kwargs, validate))

    def records(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_rows: int | None = None,
        max_pages: int = 10_000,
        progress: bool | None = None,
        validate: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Every record of every page, envelope unwrapped, up to ``max_rows``."""
        pager = self.pager(path, max_pages=max_pages, progress=progress, validate=validate)
        query = self._paging_params(path, params, kwargs, validate)
        return pager.records(query, max_rows=max_rows)

    def _paging_params(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
        validate: bool | None,
    ) -> dict[str, Any]:
        """The query of a paging call, checked before the first page: a misspelt argument
        of the paging method itself (``max_row=``) is named as such."""
        query = query_params(params, **kwargs)
        if self.validate if validate is None else validate:
            rel = api_path(path)
            op = operation("GET", rel)
            if op is not None:
                check_query(op, query, extras=_PAGING_ARGS)
        return query

    def frame(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        max_rows: int | None = None,
        progress: bool | None = None,
        amounts: str = "decimal",
        max_pages: int = 10_000,
        validate: bool | None = None,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """Every record of a list operation as a DataFrame.

        Parameters
        ----------
        path : str
            Relative to /v2, e.g. ``"/transfer/transfers"``.
        params : mapping, optional
            Query parameters as Paxos spells them (``{"created_at.gte": ...}``).
        max_rows : int, optional
            Stop after this many records (and fetch no further page).
        progress : bool or None
            A progress bar for multi-page fetches; None: only when interactive.
        amounts : {"decimal", "float", "string"}
            Exact ``Decimal`` objects (default), float64, or the strings as sent.
        validate : bool, optional
            Check the parameters against the catalog first (default: the session's
            :attr:`validate`). An unknown parameter is an error naming the closest one,
            never a silently unfiltered list.
        **kwargs
            More query parameters; ``__`` becomes ``.`` (``created_at__gte=``), lists
            become repeated keys.

        Returns
        -------
        pandas.DataFrame
            With no records, an empty frame with the columns the spec documents.
        """
        from .frames import records_to_frame  # pandas loads with the first frame

        rows = list(
            self.records(
                path,
                params=params,
                max_rows=max_rows,
                max_pages=max_pages,
                progress=progress,
                validate=validate,
                **kwargs,
            )
        )
        frame = records_to_frame(rows, amounts=amounts)
        if not rows:  # the documented columns, not 0 x 0
            from .record_schema import empty_frame

            op = catalog.match("GET", api_path(path))
            frame = empty_frame(op.operation_id if op else None, amounts=amounts)
        return frame
