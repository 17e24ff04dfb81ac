"""All models, imported here so Alembic and the tests see the whole schema."""

from portal.db import Base
from portal.models.audit import AuditEntry

__all__ = ["AuditEntry", "Base"]
