"""``session.frame`` on ListIdentityControls (preview, cursor family, ``items``): typed
columns, UTC times, pages followed, deleted controls only with ``include_deleted``."""

from __future__ import annotations

import uuid

import pandas as pd

SCOPES = [
    "identity:read_identity",
    "identity:write_identity",
    "identity:read_identity_control",
    "identity:write_identity_control",
]


def _person() -> dict:
    return {
        "ref_id": f"controls-{uuid.uuid4()}",
        "tax_details_not_required": True,
        "person_details": {
            "first_name": "Cora",
            "last_name": "Control",
            "verifier_type": "PASSTHROUGH",
            "passthrough_verifier_type": "PERSONA",
            "passthrough_verified_at": "2026-01-02T03:04:05Z",
            "passthrough_verification_id": "v-controls",
            "passthrough_verification_status": "APPROVED",
            "passthrough_verification_fields": ["FULL_LEGAL_NAME"],
        },
    }


def test_frame_of_identity_controls(open_session):
    session, _ = open_session(SCOPES)
    ident = session.post("/identity/identities", json=_person())["id"]
    made = [
        session.post(
            "/identity/controls",
            json={"identity_id": ident, "type": kind, "reason_code": "END_USER_REQUEST"},
        )
        for kind in ("SELL_ONLY", "CLOSED", "DORMANT")
    ]
    session.delete("/identity/controls", params={"control_id": made[1]["id"]})
    df = session.frame("/identity/controls", identity_id=ident, limit=1, progress=False)
    assert list(df["id"]) == [made[0]["id"], made[2]["id"]]  # two pages of 1, oldest first
    assert str(df["created_at"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(df["type"].dtype, pd.CategoricalDtype)
    assert df["is_overridable"].dtype == bool
    every = session.frame(
        "/identity/controls", identity_id=ident, include_deleted=True, progress=False
    )
    assert len(every) == 3
    assert str(every["deleted_at"].dtype) == "datetime64[ns, UTC]"
    assert every["deleted_at"].isna().tolist() == [True, False, True]
    assert session.get("/identity/identities/" + ident)["summary_status"] == "DISABLED"
