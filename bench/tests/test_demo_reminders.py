"""After the demo is built, the reminder sweep has something of several kinds to send today, once."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from preceptorship.models import Notification
from progression.models import ProgressionCase


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


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2027-05-03", "2027-03-06"], ids=["bank-holiday", "saturday"])
def test_the_demo_seeded_as_of_another_day_gives_that_days_reminders(day):
    call_command("seed_demo", password="demo-password-1", today=day, stdout=io.StringIO())
    out = io.StringIO()
    call_command("send_due_reminders", today=day, stdout=out)
    counts = json.loads(out.getvalue())
    assert {"review_due_soon", "review_overdue", "completion_signoff_due", "progression_case_waiting"} <= {
        kind for kind, count in counts.items() if kind != "total" and count
    }
    # The services the demo called stamped their records with that day, not the clock's.
    opened = {timezone.localdate(at) for at in ProgressionCase.objects.values_list("created_at", flat=True)}
    assert opened == {datetime.date.fromisoformat(day)}


@pytest.mark.django_db
def test_seed_demo_refuses_a_day_that_is_not_a_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("seed_demo", password="demo-password-1", today="5/3/2027", stdout=io.StringIO())
