"""The notifications page: its query count does not grow with the number of notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from preceptorship.tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [2, 30])
def test_notifications_page_query_count_does_not_grow_with_rows(client, django_assert_num_queries, size):
    me = UserFactory()
    NotificationFactory.create_batch(size, recipient=me, read_at="2026-01-01T09:00:00Z")
    NotificationFactory.create_batch(size, recipient=me, body="Please record the meeting.")
    client.force_login(me)
    # 1. the session, 2. the user, 3. the count for the pagination, 4. the user's memberships
    # (navigation), 5. the unread count in the header, 6. the page of notifications.
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert response.text.count("Open (unread)") == min(size, 25)  # the newest first, 25 a page
    assert f'<span class="app-header-count">{size}</span>' in response.text
