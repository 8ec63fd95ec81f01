"""The caseload's filter form (its programme, profession and employer choices) is rendered once
until a record it reads changes: the next request skips the three choice queries, and a new
enrolment on another programme shows in the choices straight away."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role


def _filter_form(page: str) -> str:
    return page[page.index('class="app-filter"'):].split("</form>")[0]


def test_the_filter_form_is_kept_until_a_record_it_reads_changes(client, organisation, django_assert_num_queries):
    cache.clear()
    mentor = person(organisation, Role.MENTOR)
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="Adult nursing"), mentor=mentor)
    client.force_login(mentor)
    url = reverse("programmes:caseload")
    first = client.get(url).content.decode()
    assert ">Adult nursing</option>" in first
    # Session, user, memberships, the paginator's count, the page of enrolments, the unread count.
    with django_assert_num_queries(6):
        again = client.get(url).content.decode()
    assert _filter_form(again) == _filter_form(first)
    chosen = client.get(url, {"status": "active"}).content.decode()
    assert '<option value="active" selected>' in chosen  # a form of its own for each query
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="Social work"), mentor=mentor)
    assert ">Social work</option>" in client.get(url).content.decode()


def test_the_caseload_rows_show_each_change_at_once(client, organisation):
    """The rendered rows are kept under a digest of what they show: a change to any of it, or a new
    day that makes a review overdue, renders them anew."""
    mentor = person(organisation, Role.MENTOR)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), mentor=mentor)
    client.force_login(mentor)

    def row() -> str:
        page = client.get(reverse("programmes:caseload")).content.decode()
        return page[page.index(reverse("programmes:review-list", args=[enrolment.pk])):].split("</tr>")[0]

    assert "Active" in row() and "Overdue" not in row()
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.PAUSED, reviews_held=2)
    assert "Paused" in row() and "Reviews held </span>2<" in row()
    enrolment.preceptee.first_name = "Renamed"
    enrolment.preceptee.save()
    assert "Renamed" in row()
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.ACTIVE, next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    assert "Overdue" in row()
