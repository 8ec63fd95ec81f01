"""Access expectations of the data protection pages (see preceptorship/tests/test_access_matrix.py).

Only administrators and the data protection officer of the person's own organisation reach a
person, their exports and their erasure; everyone else is outside the scope (404). The request
page itself has no object: other roles are refused it (403).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from programmes.privacy.models import SubjectAccessExport

ADMIN_AND_OWN_DPO = {"anonymous": 302, "administrator": 200, "own:data_protection": 200, "*": 404}

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "privacy:index": {
        "GET": {"anonymous": 302, "administrator": 200, "data_protection": 200, "*": 403},
        "POST": {"anonymous": 302, "*": 405},
    },
    "privacy:person": {"GET": ADMIN_AND_OWN_DPO, "POST": {"anonymous": 302, "*": 405}},
    "privacy:export-request": {
        "GET": {"anonymous": 302, "*": 405},
        "POST": {"anonymous": 302, "administrator": 302, "own:data_protection": 302, "*": 404},
    },
    # A POST without the confirmation shows the page again with the error.
    "privacy:erase": {"GET": ADMIN_AND_OWN_DPO, "POST": ADMIN_AND_OWN_DPO},
    "privacy:export-detail": {"GET": ADMIN_AND_OWN_DPO, "POST": {"anonymous": 302, "*": 405}},
    "privacy:export-status": {"GET": ADMIN_AND_OWN_DPO, "POST": {"anonymous": 302, "*": 405}},
    "privacy:export-download": {"GET": ADMIN_AND_OWN_DPO, "POST": {"anonymous": 302, "*": 405}},
}


def _person(world: Any, viewer: Any, target: str) -> dict[str, int]:
    users = world.users if target == "own" else world.other_users
    return {"pk": users["practitioner"].pk}


def _export(world: Any, viewer: Any, target: str) -> dict[str, int]:
    own = target == "own"
    person = (world.users if own else world.other_users)["practitioner"]
    export = SubjectAccessExport.objects.create(
        person=person, organisation=world.organisation if own else world.other_organisation,
        status=SubjectAccessExport.Status.READY, expires_at=timezone.now() + datetime.timedelta(days=30),
        finished_at=timezone.now(),
    )
    export.file.save("export.zip", ContentFile(b"PK zip of the test"), save=True)
    return {"pk": export.pk}


BUILDERS = {
    "privacy:person": _person,
    "privacy:export-request": _person,
    "privacy:erase": _person,
    "privacy:export-detail": _export,
    "privacy:export-status": _export,
    "privacy:export-download": _export,
}
