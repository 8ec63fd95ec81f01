"""The equality figures' link, for programme leads and ICS leads."""

from __future__ import annotations

from preceptorship.home import register_nav
from programmes.equality.access import may_see_figures

register_nav("Equality figures", "equality:figures", may_see_figures, order=650)
