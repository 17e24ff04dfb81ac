"""Extensions, created unbound here and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
# Limits are declared per view from settings (PORTAL_*_RATE_LIMIT); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
