"""Who may reach the letter's preview and the redeployment page (read by
preceptorship/tests/test_access_matrix.py, like ``access_expectations``).

The preview is for whoever may produce the letter (the line manager and HR) while it may be
produced; a redeployment is recorded by the Head of Service or an Operational Director after
sign-off. Everyone else who sees the case gets 403, anyone else 404.
"""

from __future__ import annotations

from progression.models import ProgressionCase
from progression.tests.access_expectations import _case_at, _readers

Stage = ProgressionCase.Stage

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "progression:case-letter-preview": {
        "GET": _readers(403, line_manager=200, hr=200), "POST": {"anonymous": 302, "*": 405},
    },
    # An empty POST shows the form again with its errors.
    "progression:case-redeploy": {
        "GET": _readers(403, head_of_service=200, operational_director=200),
        "POST": _readers(403, head_of_service=200, operational_director=200),
    },
}

BUILDERS = {
    "progression:case-letter-preview": _case_at(Stage.WORKER_TOLD),
    "progression:case-redeploy": _case_at(Stage.SIGNED_OFF),
}
