"""care units: the column `type` becomes `kind`, as CareUnit.kind and CareOption.kind

The JSON copy of each unit (`data`) is renamed too, so rows that staff edited keep loading.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _rename_data_key(old: str, new: str) -> None:
    units = sa.table("care_units", sa.column("id", sa.String), sa.column("data", sa.JSON))
    connection = op.get_bind()
    for unit_id, data in connection.execute(sa.select(units.c.id, units.c.data)).fetchall():
        if isinstance(data, dict) and old in data:
            data = {(new if key == old else key): value for key, value in data.items()}
            connection.execute(units.update().where(units.c.id == unit_id).values(data=data))


def upgrade() -> None:
    with op.batch_alter_table("care_units") as batch:
        batch.alter_column("type", new_column_name="kind", existing_type=sa.String(length=32),
                           existing_nullable=False)
    _rename_data_key("type", "kind")


def downgrade() -> None:
    _rename_data_key("kind", "type")
    with op.batch_alter_table("care_units") as batch:
        batch.alter_column("kind", new_column_name="type", existing_type=sa.String(length=32),
                           existing_nullable=False)
