"""Identity documents: upload URLs, the uploads themselves, and the documents still pending.

``DocumentUpload`` answers a ``file_id`` and a pre-signed ``upload_url`` (at Paxos an S3 URL;
here ``<emulator>/_emulator/uploads/<file_id>?expires=...&signature=...``, served by
:mod:`..uploads`), valid for :data:`URL_LIFETIME` of emulator time. The file arrives by PUT
or POST (the docs disagree; both are accepted): a PDF, JPG or PNG under 100 MB, recognised by
its first bytes. Only uploaded files are listed; an uploaded file whose document types cover an
older file's archives the older one. ``pending_documents`` are the types an identity was asked
for (``identity.documents_required``) that no current file covers, until document
verification is APPROVED.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..fmt import Wired, fmt_ts
from ..problems import Problem, already_exists, bad_request, not_found
from .core import Core
from .identities import Identities
from .identity_records import Identity

__all__ = ["MAX_BYTES", "URL_LIFETIME", "Document", "Documents", "file_kind"]

MAX_BYTES = 100 * 1024 * 1024  # "Uploaded documents must be less than 100 MB in size"
URL_LIFETIME = timedelta(minutes=15)  # [unverified]: a common lifetime of a pre-signed URL
UPLOAD_PATH = "/_emulator/uploads/"
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def file_kind(data: bytes) -> str | None:
    """The media type of a PDF, PNG or JPEG file from its first bytes (None: neither)."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


@dataclass
class Document(Wired):
    file_id: str
    identity_id: str
    name: str
    document_types: tuple[str, ...]
    created_at: datetime
    archived_at: datetime | None = None
    upload: dict[str, Any] = field(default_factory=dict)  # size, sha256, media type, when

    @property
    def id(self) -> str:
        return self.file_id

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file_id": self.file_id,
            "name": self.name,
            "document_types": list(self.document_types),
            "created_at": fmt_ts(self.created_at),
        }
        if self.archived_at is not None:
            out["archived_at"] = fmt_ts(self.archived_at)
        return out


class Documents:
    """Every document of every identity, by identity and by file id."""

    def __init__(self, core: Core, identities: Identities) -> None:
        self.core, self.identities = core, identities
        self._key = secrets.token_bytes(32)  # signs upload URLs; never leaves this object
        self.base_url = ""  # the emulator's http://host:port, set when it starts serving
        self.reset()

    def reset(self) -> None:
        self.by_identity: dict[str, list[Document]] = {}
        self.by_file: dict[str, Document] = {}

    # -- DocumentUpload -------------------------------------------------------------------
    def request_upload(
        self, identity: Identity, name: str, types: tuple[str, ...], at: datetime
    ) -> tuple[Document, str]:
        """A document awaiting its file and the URL to send it to. 409 if a file of that name
        was uploaded for this identity; asking again for a name not yet uploaded gives a
        fresh URL for the same file id."""
        docs = self.by_identity.setdefault(identity.id, [])
        same = next((d for d in docs if d.name == name), None)
        if same is not None and same.upload:
            raise already_exists(f'file named "{name}" already exists', {"name": name})
        if same is None:
            same = Document(self.core.new_id(), identity.id, name, types, at)
            docs.append(same)
            self.by_file[same.file_id] = same
        else:
            same.document_types = types
        self.core.changed("identity_document.created", same, at)
        return same, self.upload_url(same, at + URL_LIFETIME)

    def upload_url(self, doc: Document, expires: datetime) -> str:
        stamp = int(expires.timestamp())
        return (
            f"{self.base_url}{UPLOAD_PATH}{doc.file_id}"
            f"?expires={stamp}&signature={self._sign(doc.file_id, stamp)}"
        )

    def _sign(self, file_id: str, expires: int) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    # -- the upload -----------------------------------------------------------------------
    def accept(
        self, file_id: str, expires: str, signature: str, data: bytes, at: datetime
    ) -> Document:
        """Store an uploaded file (its size, digest and type) sent to a pre-signed URL."""
        doc = self.by_file.get(file_id)
        try:
            stamp = int(expires)
        except ValueError:
            stamp = -1
        if doc is None or not hmac.compare_digest(self._sign(file_id, stamp), signature):
            raise Problem(
                403, "the upload URL is not valid: use the upload_url DocumentUpload gave"
            )
        if at.timestamp() > stamp:
            ended = fmt_ts(datetime.fromtimestamp(stamp, timezone.utc))
            raise Problem(403, f"the upload URL expired at {ended}; call DocumentUpload again")
        if doc.upload:
            raise Problem(409, f'file "{doc.name}" was already uploaded')
        if len(data) >= MAX_BYTES:
            raise Problem(413, "uploaded documents must be less than 100 MB")
        kind = file_kind(data)
        if kind is None:
            raise bad_request("the file must be a PDF, JPG or PNG (its first bytes are neither)")
        for older in self.current(doc.identity_id):
            if older is not doc and set(older.document_types) <= set(doc.document_types):
                older.archived_at = at
                self.core.changed("identity_document.archived", older, at)
        doc.upload = {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": kind,
            "uploaded_at": at,
        }
        self.core.changed("identity_document.uploaded", doc, at)
        return doc

    # -- reading --------------------------------------------------------------------------
    def listed(self, identity_id: str) -> list[Document]:
        """The identity's uploaded files (archived ones too), oldest first."""
        return [d for d in self.by_identity.get(identity_id, ()) if d.upload]

    def current(self, identity_id: str) -> list[Document]:
        return [d for d in self.listed(identity_id) if d.archived_at is None]

    def pending(self, identity: Identity) -> list[str]:
        """The document types asked for and not covered by a current file."""
        if identity.statuses.get("document_verification_status") == "APPROVED":
            return []
        have = {t for d in self.current(identity.id) for t in d.document_types}
        return [t for t in identity.required_documents if t not in have]

    def find(self, file_id: str) -> Document:
        found = self.by_file.get(file_id)
        if found is None:
            raise not_found(f"document not found: {file_id}")
        return found
