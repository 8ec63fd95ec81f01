from __future__ import annotations

import pytest

from progression.tests.factories import Cast


@pytest.fixture
def cast(organisation, team):
    return Cast(organisation, team)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
