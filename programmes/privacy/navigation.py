"""The data protection link, for administrators and data protection officers."""

from __future__ import annotations

from preceptorship.home import register_nav
from programmes.privacy.access import may_answer_requests

register_nav("Data protection", "privacy:index", may_answer_requests, order=900)
