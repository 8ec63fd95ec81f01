from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from preceptorship.models import Notification
from preceptorship.notifications import notification_deliver, notify, tasks_done
from preceptorship.tests.factories import NotificationFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_notify_twice_with_the_same_key_records_and_sends_once():
    user = UserFactory(email="mentor@example.org")
    first = notify(recipient=user, kind="review_due", about="enrolment:1", subject="Review due", url="/x/")
    second = notify(recipient=user, kind="review_due", about="enrolment:1", subject="Review due", url="/x/")
    assert first is not None and second is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == Notification.Status.SENT


@pytest.mark.django_db
def test_non_essential_email_is_skipped_when_the_person_opted_out():
    user = UserFactory(email_reminders=False)
    notification = NotificationFactory(recipient=user, essential=False)
    assert notification_deliver(notification_id=notification.pk) == Notification.Status.SKIPPED
    assert len(mail.outbox) == 0
    essential = NotificationFactory(recipient=user, essential=True)
    assert notification_deliver(notification_id=essential.pk) == Notification.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivered_notification_is_never_sent_again():
    notification = NotificationFactory()
    notification_deliver(notification_id=notification.pk)
    assert notification_deliver(notification_id=notification.pk) == "not-pending"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_mail_server_error_marks_the_notification_failed_without_raising():
    user = UserFactory()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("refused")):
        notify(recipient=user, kind="k", about="x:1", subject="S")
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.FAILED
    assert "refused" in notification.error


@pytest.mark.django_db
def test_notifications_page_lists_only_my_own(client):
    me, someone_else = UserFactory(), UserFactory()
    NotificationFactory(recipient=me, subject="For me")
    NotificationFactory(recipient=someone_else, subject="Not for me")
    client.force_login(me)
    response = client.get(reverse("notifications"))
    assert b"For me" in response.content and b"Not for me" not in response.content


@pytest.mark.django_db
def test_opening_someone_elses_notification_is_404(client):
    me = UserFactory()
    theirs = NotificationFactory()
    client.force_login(me)
    assert client.post(reverse("notification-open", args=[theirs.pk])).status_code == HTTPStatus.NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_opening_marks_read_and_goes_to_the_link(client):
    me = UserFactory()
    mine = NotificationFactory(recipient=me, url="/profile/")
    client.force_login(me)
    response = client.post(reverse("notification-open", args=[mine.pk]))
    assert response["Location"] == "/profile/"
    mine.refresh_from_db()
    assert mine.read_at is not None


@pytest.mark.django_db
def test_header_shows_unread_count(client):
    me = UserFactory()
    NotificationFactory.create_batch(3, recipient=me)
    client.force_login(me)
    response = client.get(reverse("home"))
    assert b'<span class="app-header-count">3</span>' in response.content
    client.post(reverse("notifications-read-all"))
    assert b"app-header-count" not in client.get(reverse("home")).content


@pytest.mark.django_db
def test_a_done_task_leaves_the_recipients_unread_notifications_and_nobody_elses():
    me, someone = UserFactory(), UserFactory()
    asked = notify(recipient=me, kind="review_recorded", about="programmes.reviewmeeting:7", subject="Read it")
    other_kind = notify(recipient=me, kind="reflection_shared", about="programmes.reviewmeeting:7", subject="x")
    other_record = notify(recipient=me, kind="review_recorded", about="programmes.reviewmeeting:77", subject="x")
    theirs = notify(recipient=someone, kind="review_recorded", about="programmes.reviewmeeting:7", subject="x")
    case = notify(recipient=me, kind="progression_case_waiting", about="progression.case:5:r2", subject="Decide")
    assert tasks_done(recipient=me, about="programmes.reviewmeeting:7", kinds=("review_recorded",)) == 1
    assert tasks_done(recipient=me, about="progression.case:5") == 1  # any revision of the case
    unread = set(Notification.objects.filter(read_at=None).values_list("pk", flat=True))
    assert unread == {other_kind.pk, other_record.pk, theirs.pk}
    assert asked.pk not in unread and case.pk not in unread
