"""The query-count helper fails when a read's queries grow with the data, and passes when not."""

from __future__ import annotations

import pytest

from preceptorship.models import User
from preceptorship.tests.factories import UserFactory
from preceptorship.tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db


def test_a_query_per_row_is_caught() -> None:
    UserFactory()

    def one_query_per_person() -> list[int]:
        return [user.memberships.count() for user in User.objects.all()]

    with pytest.raises(AssertionError, match="1 queries before|2 queries before"):
        assert_same_queries_at_two_sizes(one_query_per_person, lambda: UserFactory.create_batch(3))


def test_a_set_based_read_passes_and_returns_both_answers() -> None:
    UserFactory()
    small, large = assert_same_queries_at_two_sizes(lambda: User.objects.count(), lambda: UserFactory.create_batch(3))
    assert (small, large) == (1, 4)
