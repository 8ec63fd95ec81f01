"""The notifications page: its query count does not grow with the number of notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from preceptorship.tests.factories import NotificationFactory, UserFactory
from preceptorship.tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db


def test_notifications_page_query_count_does_not_grow_with_rows(client):
    me = UserFactory()

    def add(size: int) -> None:
        NotificationFactory.create_batch(size, recipient=me, read_at="2026-01-01T09:00:00Z")
        NotificationFactory.create_batch(size, recipient=me, body="Please record the meeting.")

    add(2)
    client.force_login(me)
    # The session, the user, the count for the pagination, the user's memberships (navigation), the
    # unread count in the header, the page of notifications: the same with 4 or 60.
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(reverse("notifications")), lambda: add(28))
    for response, unread in ((small, 2), (large, 30)):
        assert response.status_code == 200
        assert response.text.count("Open (unread)") == min(unread, 25)  # the newest first, 25 a page
        assert f'<span class="app-header-count">{unread}</span>' in response.text
