"""Fixtures shared by every app's tests: the area tree, a cast of users per
role, and logged-in clients. Factories live in gaizao.testing."""

import pytest
from django.core.cache import cache
from django.test import Client

from gaizao import testing


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The cast has 14 users; the real hasher costs ~1 s each on a busy CI box.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counters (gaizao.core.throttle) live in the cache: every
    # test starts with none, as every test client shares 127.0.0.1.
    cache.clear()


@pytest.fixture
def areas(db):
    return testing.make_areas()


@pytest.fixture
def cast(areas):
    """dict with "users" (role name → User), compound_a (金辰/天祥),
    compound_b (青云/云山), building_a, units_a, owner_a, …"""
    return testing.make_cast(areas)


@pytest.fixture
def users(cast):
    return cast["users"]


@pytest.fixture
def client_for(db):
    """client_for(user) → a Client logged in as that user (None: anonymous)."""

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
