"""Access expectations for the staff import (see the docstring of test_access_matrix.py):
programme leads and administrators import; an import is seen only by the person who uploaded it."""

from __future__ import annotations

from django.core.files.base import ContentFile

from preceptorship.models import StaffImport

IMPORTERS = {"anonymous": 302, "programme_lead": 200, "administrator": 200, "*": 403}


def _import(world, viewer, target):
    """Own: an import the viewer uploaded. Other: one uploaded in the other organisation."""
    owner = viewer if target == "own" and viewer else world.other_users["programme_lead"]
    staff_import = StaffImport(uploaded_by=owner, original_filename=f"staff-of-{owner.email}.csv",
                               status=StaffImport.Status.READY, total_rows=1, preview={"rows": 1, "creates": 1})
    staff_import.file.save("staff.csv", ContentFile(b"E-mail\n"), save=False)
    staff_import.save()
    return {"pk": staff_import.pk}, staff_import.original_filename


EXPECTATIONS = {
    "staff:import": {"GET": IMPORTERS, "POST": {"anonymous": 302, "programme_lead": 200, "administrator": 200,
                                                "*": 403}},
    "staff:import-template": {"GET": IMPORTERS},
    "staff:import-detail": {"GET": {"anonymous": 302, "own:*": 200, "other:*": 404}},
    "staff:import-status": {"GET": {"anonymous": 302, "own:*": 200, "other:*": 404}},
    # Own: only importers may start it (others 403); it redirects back to the import's page.
    "staff:import-confirm": {
        "GET": {"anonymous": 302, "*": 405},
        "POST": {"anonymous": 302, "own:programme_lead": 302, "own:administrator": 302, "own:*": 403,
                 "other:*": 404},
    },
}

BUILDERS = {
    "staff:import-detail": _import,
    "staff:import-status": _import,
    "staff:import-confirm": _import,
}
