"""Single sign-on: identities known to the OpenID Connect provider (pending until an
administrator or a claims mapping grants a role and HEI) and sign-ins in progress.

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0014"
down_revision: str | None = "0013"

IDENTITY = "sso_identity"
STATE = "sso_login_state"


def upgrade() -> None:
    col.create_table(
        IDENTITY,
        col.text("issuer", 255),
        col.text("subject", 255),
        col.text("email", 255, nullable=True),
        col.text("name", 128, nullable=True),
        col.json("groups", nullable=True),
        col.reference(IDENTITY, "user_id", "app_user", nullable=True),
        col.moment("first_seen_at", nullable=False),
        col.moment("last_seen_at", nullable=False),
        col.text("granted_by", 255, nullable=True),
        col.unique(IDENTITY, "issuer", "subject"),
        col.unique(IDENTITY, "user_id"),
    )
    col.create_table(
        STATE,
        col.text("key", 128),
        col.text("value", 4000),
        col.moment("expires_at", nullable=False),
        primary=("key",),
        indexed=("expires_at",),
    )


def downgrade() -> None:
    col.drop_table(STATE, "expires_at")
    col.drop_table(IDENTITY)
