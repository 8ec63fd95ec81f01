"""The preceptor register's link for programme leads, and the mentor's own preceptor page."""

from __future__ import annotations

from preceptorship.home import register_nav
from programmes.preceptors.access import is_mentor, may_keep_register

register_nav("Preceptor register", "programmes:preceptors:register", may_keep_register, order=23)
register_nav("My preceptor record", "programmes:preceptors:mine", is_mentor, order=36)
