"""pdf cache

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 04:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # PDFs kept by the SHA-256 of what they were made from (drafting/publishing/cache.py).
    op.create_table(
        "pdf_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pdf_cache")),
    )
    with op.batch_alter_table("pdf_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pdf_cache_last_used_at"), ["last_used_at"], unique=False)


def downgrade():
    with op.batch_alter_table("pdf_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pdf_cache_last_used_at"))
    op.drop_table("pdf_cache")
