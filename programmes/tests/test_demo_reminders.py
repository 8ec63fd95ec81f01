"""After the demo is built, the reminder sweep has something of several kinds to send today, once."""

import io
import json

import pytest
from django.core.management import call_command

from preceptorship.models import Notification


def _sweep() -> dict[str, int]:
    out = io.StringIO()
    call_command("send_due_reminders", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_demo_gives_the_sweep_reminders_of_several_kinds_and_a_second_sweep_sends_nothing():
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    before = Notification.objects.count()
    counts = _sweep()
    kinds = {kind for kind, count in counts.items() if kind != "total" and count}
    assert {"review_due_soon", "review_overdue", "completion_signoff_due", "progression_case_waiting"} <= kinds
    assert Notification.objects.count() - before == counts["total"]
    assert _sweep()["total"] == 0
