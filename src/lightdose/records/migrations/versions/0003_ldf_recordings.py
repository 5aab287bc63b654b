"""records: laser-Doppler recordings uploaded with an outcome, with their analysis.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ldf_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_ldf_recordings_clinic_id")),
        sa.ForeignKeyConstraint(["outcome_id"], ["outcomes.id"], name=op.f("fk_ldf_recordings_outcome_id")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_ldf_recordings_created_by_id")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_ldf_recordings_updated_by_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ldf_recordings")),
    )
    with op.batch_alter_table("ldf_recordings") as batch_op:
        batch_op.create_index(batch_op.f("ix_ldf_recordings_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ldf_recordings_outcome_id"), ["outcome_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ldf_recordings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_ldf_recordings_outcome_id"))
        batch_op.drop_index(batch_op.f("ix_ldf_recordings_clinic_id"))
    op.drop_table("ldf_recordings")
