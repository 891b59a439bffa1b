"""Make-up hours learners on placement requests; placement provider users tied to their
organisation.

A request's ``makeup_learners`` (0 to its learners) are placed first within its HEI's share
(docs/optimiser.md). A user of the placement provider role belongs to exactly one
organisation (``organisation_id``), the owner of the settings they may see; no other role has
one.

Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from tracker.migrations import columns as col

revision: str = "0018"
down_revision: str | None = "0016"

OLD_ROLES = "role IN ('admin', 'coordinator', 'collaborative', 'hei')"
NEW_ROLES = "role IN ('admin', 'coordinator', 'collaborative', 'hei', 'provider')"
PROVIDER_BINDING = (
    "(role = 'provider' AND organisation_id IS NOT NULL) "
    "OR (role <> 'provider' AND organisation_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.add_column(
            sa.Column("makeup_learners", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint(
            "makeup_learners", "makeup_learners >= 0 AND makeup_learners <= learners"
        )
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(col.number("organisation_id", nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_app_user_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch_op.create_check_constraint("role_code", NEW_ROLES)
        batch_op.create_check_constraint("provider_binding", PROVIDER_BINDING)


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_constraint(op.f("ck_app_user_provider_binding"), type_="check")
        batch_op.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch_op.create_check_constraint("role_code", OLD_ROLES)
        batch_op.drop_constraint(
            batch_op.f("fk_app_user_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("organisation_id")
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.drop_constraint(op.f("ck_placement_request_makeup_learners"), type_="check")
        batch_op.drop_column("makeup_learners")
