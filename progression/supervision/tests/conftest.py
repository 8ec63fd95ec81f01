from __future__ import annotations

import pytest

from progression.tests.factories import Cast


@pytest.fixture
def cast(organisation, team):
    return Cast(organisation, team)


@pytest.fixture
def case(cast):
    return cast.open_case()
