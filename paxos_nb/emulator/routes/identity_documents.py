"""Identity documents: list them, and ask for an upload URL (API-BRIEF-2.md section 7.4)."""

from __future__ import annotations

from ..fmt import body_of, query_bool
from ..problems import bad_request
from ..shapes import checked
from . import Body, Call, handles
from ._shared import ledger_of, listing


@handles("ListIdentityDocuments")
def list_identity_documents(call: Call) -> Body:
    pending = query_bool(call.query, "include_pending_docs")
    ident = call.path_params["identity_id"]
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.find(ident, f"Identity with id {ident} doesn't exist")
        head = {"pending_documents": led.documents.pending(identity)} if pending else None
        return listing(led.documents.listed(identity.id), None, "documents", head=head)


@handles("DocumentUpload")
def document_upload(call: Call) -> Body:
    body = body_of(call)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 260:
        raise bad_request("must provide a file name, up to 260 characters")
    data = checked(body, "IdentityPublicDocumentUploadBody", "")
    types = tuple(dict.fromkeys(data.get("document_types", ())))
    if not types:
        raise bad_request(
            "document_types: give at least one document type, e.g. PROOF_OF_RESIDENCY"
        )
    with ledger_of(call).at(call.now) as led:
        identity = led.identities.find(call.path_params["identity_id"], "identity does not exist")
        doc, url = led.documents.request_upload(identity, name, types, led.now)
        return {"file_id": doc.file_id, "name": doc.name, "upload_url": url}
