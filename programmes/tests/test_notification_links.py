"""Every notification leads its recipient to a page they may open, and shows in their header."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from preceptorship.models import Notification

pytestmark = pytest.mark.django_db


def test_after_the_demo_and_a_sweep_each_notification_opens_the_page_it_is_about_for_its_recipient(client):
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    call_command("send_due_reminders", stdout=io.StringIO())
    notifications = list(Notification.objects.select_related("recipient").order_by("recipient_id", "pk"))
    assert len({n.kind for n in notifications}) >= 4
    # A demo user sees how many notifications they have not read in the header.
    recipient = notifications[0].recipient
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
    client.force_login(recipient)
    assert unread and f'<span class="app-header-count">{unread}</span>' in client.get(reverse("home")).text
    checked = set()
    for notification in notifications:
        if (notification.recipient_id, notification.url) in checked:
            continue
        checked.add((notification.recipient_id, notification.url))
        client.force_login(notification.recipient)
        assert notification.url, notification.kind
        response = client.get(notification.url)
        assert response.status_code == HTTPStatus.OK, (notification.kind, notification.url)
        # Opening it from the notifications page marks it read and goes to the same page.
        opened = client.post(reverse("notification-open", args=[notification.pk]))
        assert opened["Location"] == notification.url
