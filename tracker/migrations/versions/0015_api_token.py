"""API tokens: HEI systems' keys to the JSON API, kept as SHA-256 hashes of their secrets.

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0015"
down_revision: str | None = "0014"

TABLE = "api_token"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.text("token_hash", 64),
        col.reference(TABLE, "hei_id", "organisation"),
        col.text("scope", 8),
        col.text("label", 120),
        col.text("created_by", 64),
        col.moment("created_at", nullable=False),
        col.moment("revoked_at"),
        col.moment("last_used_at"),
        col.check(TABLE, "scope_known", "scope IN ('read', 'write')"),
        indexed=("hei_id",),
        unique_indexed=("token_hash",),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "hei_id", "token_hash")
