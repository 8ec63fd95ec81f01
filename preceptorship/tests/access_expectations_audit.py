"""Access expectations for the audit log (see the docstring of test_access_matrix.py):
administrators read every entry, programme leads their organisation's; everyone else, an ICS lead
included, is told there is no such page."""

from __future__ import annotations

from preceptorship.models import AuditEntry

EXPECTATIONS = {
    "audit:list": {
        "GET": {"anonymous": 302, "programme_lead": 200, "administrator": 200, "*": 404},
        "POST": {"anonymous": 302, "programme_lead": 405, "administrator": 405, "*": 404},
    },
}


def CANARIES(world):  # noqa: N802 - the name test_access_matrix.py looks for
    """An entry of the other organisation: its lead's changes are no business of this one's lead."""
    entry = AuditEntry.objects.create(
        actor=world.other_users["programme_lead"], action="programme.update", object_type="programmes.programme",
        object_id="1", organisation=world.other_organisation, subject=world.other_users["practitioner"],
        summary="Audit canary: the other organisation changed its programme",
    )
    return [entry.summary]
