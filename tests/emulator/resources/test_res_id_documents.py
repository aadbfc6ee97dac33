"""Identity documents over real HTTP: DocumentUpload's URL takes the file (PUT or POST,
multipart too), the list shows it, pending types are covered, newer files archive older
ones, and a bad, expired or reused URL or a file that is not a PDF/JPG/PNG is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from identity_support import PDF, PNG, institution, person

from paxos_nb.emulator import uploads
from paxos_nb.emulator.backends import documents


@pytest.fixture
def inst(world):
    member = world.api.ok("POST", "/identity/identities", person(1))
    body = institution([{"identity_id": member["id"], "roles": ["BENEFICIAL_OWNER"]}], "LLC")
    return world.api.ok("POST", "/identity/identities", body)


def _docs(world, ident: str) -> dict:
    return world.api.ok(
        "GET", f"/identity/identities/{ident}/documents", include_pending_docs="true"
    )


def _ask(world, ident: str, name: str, *types: str) -> dict:
    body = {"name": name, "document_types": list(types)}
    return world.api.ok("PUT", f"/identity/identities/{ident}/documents", body)


def test_upload_by_put_covers_a_pending_type(world, inst):
    assert _docs(world, inst["id"]) == {
        "pending_documents": ["ORGANIZATIONAL_DOCUMENTS", "OPERATING_AGREEMENT"],
        "documents": [],
    }
    asked = _ask(world, inst["id"], "articles.pdf", "ORGANIZATIONAL_DOCUMENTS")
    url = asked["upload_url"]
    assert urlsplit(url).netloc == urlsplit(world.emu.url).netloc  # the emulator serves it
    assert _docs(world, inst["id"])["documents"] == []  # no file yet
    r = requests.put(url, data=PDF, timeout=10)
    assert r.status_code == 200
    assert r.headers["ETag"]
    got = _docs(world, inst["id"])
    assert got["pending_documents"] == ["OPERATING_AGREEMENT"]
    (doc,) = got["documents"]
    assert doc["file_id"] == asked["file_id"]
    assert doc["name"] == "articles.pdf"
    assert doc["document_types"] == ["ORGANIZATIONAL_DOCUMENTS"]
    assert "archived_at" not in doc
    stored = world.ledger.documents.find(asked["file_id"]).upload
    assert stored["size"] == len(PDF)
    assert stored["media_type"] == "application/pdf"
    # Without include_pending_docs, no pending list.
    plain = world.api.ok("GET", f"/identity/identities/{inst['id']}/documents")
    assert set(plain) == {"documents"}
    # Sent twice: refused; the same name again: 409 as documented.
    assert requests.put(url, data=PDF, timeout=10).status_code == 409
    status, problem = world.api.put(
        f"/identity/identities/{inst['id']}/documents",
        {"name": "articles.pdf", "document_types": ["OTHER_DOCUMENTS"]},
    )
    assert status == 409
    assert problem["detail"] == 'file named "articles.pdf" already exists'
    assert problem["meta"] == {"existing": {"name": "articles.pdf"}}


def test_upload_by_post_raw_or_multipart_and_archiving(world, inst):
    first = _ask(world, inst["id"], "agreement.png", "OPERATING_AGREEMENT")
    r = requests.post(first["upload_url"], data=PNG, timeout=10)
    assert r.status_code == 204
    second = _ask(world, inst["id"], "agreement-v2.pdf", "OPERATING_AGREEMENT", "OTHER_DOCUMENTS")
    r = requests.post(
        second["upload_url"],
        files={"file": ("agreement-v2.pdf", PDF, "application/pdf")},
        data={"key": "ignored"},
        timeout=10,
    )
    assert r.status_code == 204, r.text
    assert world.ledger.documents.find(second["file_id"]).upload["size"] == len(PDF)
    docs = {d["name"]: d for d in _docs(world, inst["id"])["documents"]}
    assert "archived_at" in docs["agreement.png"]  # covered by the newer file
    assert "archived_at" not in docs["agreement-v2.pdf"]
    third = _ask(world, inst["id"], "x.pdf", "APPLICATION")
    r = requests.post(third["upload_url"], files={"other": ("x.pdf", PDF)}, timeout=10)
    assert r.status_code == 400
    assert "form field named 'file'" in r.json()["detail"]


def test_bad_uploads_are_refused(world, inst):
    asked = _ask(world, inst["id"], "id.jpg", "IDENTITY_VERIFICATION")
    url = asked["upload_url"]
    r = requests.put(url, data=b"GIF89a...", timeout=10)
    assert r.status_code == 400
    assert "PDF, JPG or PNG" in r.json()["detail"]
    assert r.headers["Content-Type"] == "application/problem+json"
    assert (
        requests.put(url.replace("signature=", "signature=0"), data=PDF, timeout=10).status_code
        == 403
    )
    other = url.replace(asked["file_id"], "0" * 36)
    assert requests.put(other, data=PDF, timeout=10).status_code == 403
    r = requests.get(url, timeout=10)
    assert r.status_code == 405
    assert r.headers["Allow"] == "PUT, POST"
    world.clock.advance(16 * 60)  # the URL lives 15 minutes of emulator time
    r = requests.put(url, data=PDF, timeout=10)
    assert r.status_code == 403
    assert "expired" in r.json()["detail"]
    fresh = _ask(world, inst["id"], "id.jpg", "IDENTITY_VERIFICATION")  # not uploaded: again
    assert fresh["file_id"] == asked["file_id"]
    assert fresh["upload_url"] != url
    assert (
        requests.put(fresh["upload_url"], data=b"\xff\xd8\xff\xe0 jpeg", timeout=10).status_code
        == 200
    )


def test_a_file_of_100_mb_or_more_is_413(world, inst, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    url = _ask(world, inst["id"], "big.pdf", "PROOF_OF_FUNDS")["upload_url"]
    r = requests.put(url, data=PDF + b"0" * 2000, timeout=10)
    assert r.status_code == 413
    assert "100 MB" in r.json()["detail"]

    def chunks():  # no Content-Length: refused while reading
        yield PDF
        yield b"0" * 2000

    assert requests.put(url, data=chunks(), timeout=10).status_code == 413


def test_approved_documents_leave_nothing_pending(world, inst):
    path = f"/identity/identities/{inst['id']}/sandbox-status"
    world.api.ok("PUT", path, {"document_verification_status": "APPROVED"})
    assert _docs(world, inst["id"])["pending_documents"] == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"name": ""}, 400, "must provide a file name, up to 260 characters"),
        ({"name": "x" * 261, "document_types": ["APPLICATION"]}, 400, "up to 260 characters"),
        ({"name": "a.pdf"}, 400, "document_types: give at least one document type"),
        ({"name": "a.pdf", "document_types": ["PASSPORT"]}, 400, "document_types[0] invalid"),
    ],
)
def test_document_upload_names_what_is_wrong(world, inst, body, status, detail):
    got, problem = world.api.put(f"/identity/identities/{inst['id']}/documents", body)
    assert got == status
    assert detail in problem["detail"]


def test_unknown_identity(world):
    body = {"name": "a.pdf", "document_types": ["APPLICATION"]}
    status, problem = world.api.put("/identity/identities/nope/documents", body)
    assert (status, problem["detail"]) == (404, "identity does not exist")
    status, problem = world.api.get("/identity/identities/nope/documents")
    assert (status, problem["detail"]) == (404, "Identity with id nope doesn't exist")
