"""Stored search text folded again: punctuation now reads as a space (``Kra-chê`` = ``Kra chê``).

``portal.i18n.fold`` turns hyphens, dots, commas, quotes, brackets and Khmer ``។`` into spaces since
issue #14; text stored before was folded without that, so a typed ``kra che`` would not find a stored
``kra-che``. Each stored part is folded again (folding folded text changes only the punctuation);
the parts keep their separators (a new line for tips, `` | `` for monuments).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, the separator between the folded parts of one row)
STORED = (("tips", "\n"), ("monument", " | "))


def upgrade() -> None:
    from portal.i18n import fold

    connection = op.get_bind()
    for table_name, separator in STORED:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
        rows = connection.execute(sa.select(table.c.id, table.c.search_text)).all()
        for row_id, text in rows:
            refolded = separator.join(part for part in (fold(p) for p in (text or "").split(separator)) if part)
            if refolded != (text or ""):
                connection.execute(sa.update(table).where(table.c.id == row_id).values(search_text=refolded))


def downgrade() -> None:
    pass  # the text folded again is still found by the old folding's queries, less the punctuation
