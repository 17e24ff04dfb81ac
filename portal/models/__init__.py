"""All models, imported here so Alembic and the tests see the whole schema."""

from portal.db import Base
from portal.models.audit import AuditEntry
from portal.models.content import Figure, Monument, MonumentPhoto, NewsItem, Page  # noqa: F401
from portal.models.inquiry import Inquiry, InquiryLink, InquiryMessage, TipMatchKey  # noqa: F401
from portal.models.paper import DistributionPoint, FormBatch, PrintedCode  # noqa: F401
from portal.models.review import TipNote  # noqa: F401
from portal.models.site import SearchTeam, Site, SiteVisit  # noqa: F401
from portal.models.site_state import SiteState
from portal.models.staff import StaffRecoveryCode, StaffRole, StaffSetupLink, StaffUser  # noqa: F401
from portal.models.tip import Tip, TipMessage, TipPhoto  # noqa: F401

__all__ = ["AuditEntry", "Base", "SiteState"]
