"""Who may reach each equality monitoring URL (read by preceptorship/tests/test_access_matrix.py).

Everyone signed in has their own answers page (an empty POST keeps nothing and goes back to it) and
may remove their own answers. The figures and their download are for programme leads and ICS leads;
anyone else 403.
"""

from __future__ import annotations

ANON = {"anonymous": 302}

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "equality:mine": {"GET": {**ANON, "*": 200}, "POST": {**ANON, "*": 302}},
    "equality:remove": {"GET": {**ANON, "*": 405}, "POST": {**ANON, "*": 302}},
    "equality:figures": {"GET": {**ANON, "programme_lead": 200, "ics_lead": 200, "*": 403},
                         "POST": {**ANON, "*": 405}},
    "equality:figures-export": {"GET": {**ANON, "programme_lead": 200, "ics_lead": 200, "*": 403},
                                "POST": {**ANON, "*": 405}},
}


def _fmt(world, viewer, target):
    return {"fmt": "csv"}


BUILDERS = {"equality:figures-export": _fmt}
