"""How often a trainee may download their data: the limit, its window, whose exports count,
the page a refused trainee sees, and what happens when the cache is away."""

import datetime

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.utils import translation

from lms.privacy import services, throttle
from tests.factories.accounts import TraineeFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/privacy/export/"
#: 2026-11-27 15:00 in Japan.
START = datetime.datetime(2026, 11, 27, 6, 0, tzinfo=datetime.UTC).timestamp()


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr(throttle, "_now", clock)
    return clock


def _export(client, url=EXPORT_URL):
    response = client.post(url)
    if response.status_code == 200:
        b"".join(response.streaming_content)
    return response


def _five_exports(client, clock):
    for _n in range(5):
        assert _export(client).status_code == 200
        clock.now += 60


def test_the_sixth_export_in_an_hour_is_refused_on_the_page_in_japanese(
    client, clock, django_assert_num_queries
):
    trainee = TraineeFactory()
    client.force_login(trainee)
    _five_exports(client, clock)
    # Session, user, site and locale (the page): no export is built.
    with django_assert_num_queries(4):
        response = client.post(EXPORT_URL)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(3600 - 300)
    html = response.content.decode()
    assert 'id="privacy-export-refused"' in html
    with translation.override("ja"):
        assert translation.gettext("Your data") in html
        expected = translation.gettext(
            "You can download it again at %(time)s or later; your data is kept as it is."
        ) % {"time": "2026年11月27日16:00"}
    assert "2026年11月27日16:00" in html
    assert expected in html
    # Nothing lost: the page still offers the download.
    assert 'action="/privacy/export/"' in html


def test_the_refusal_in_english(client, clock):
    client.force_login(TraineeFactory())
    _five_exports(client, clock)
    response = client.post("/en" + EXPORT_URL)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You can download your data up to 5 times in 60 minutes." in html
    assert (
        "You can download it again at Nov. 27, 2026, 4 p.m. or later; your data is kept as it is."
        in html
    )
    assert "Download my data (ZIP)" in html


def test_the_window_slides_and_a_refusal_costs_nothing(client, clock):
    client.force_login(TraineeFactory())
    _five_exports(client, clock)  # at 15:00, 15:01, ... 15:04
    for _n in range(3):
        assert _export(client).status_code == 429
    clock.now = START + 3600 - 1  # 15:59:59: the first export still counts
    assert _export(client).status_code == 429
    clock.now = START + 3600  # 16:00: the first export has left the window
    assert _export(client).status_code == 200
    assert _export(client).status_code == 429  # the 15:01 export still counts
    clock.now = START + 2 * 3600  # an hour later every earlier export has left it
    for _n in range(5):
        assert _export(client).status_code == 200
    assert _export(client).status_code == 429


def test_another_trainee_exports_are_not_counted(client, clock):
    first, second = TraineeFactory(), TraineeFactory()
    client.force_login(first)
    _five_exports(client, clock)
    assert _export(client).status_code == 429
    client.force_login(second)
    _five_exports(client, clock)
    assert _export(client).status_code == 429
    client.force_login(first)
    assert _export(client).status_code == 429


def test_the_rate_comes_from_the_setting(client, clock, settings):
    settings.PRIVACY_EXPORT_RATE = "2/10m"
    client.force_login(TraineeFactory())
    assert _export(client).status_code == 200
    assert _export(client).status_code == 200
    with translation.override("en"):
        response = _export(client, "/en" + EXPORT_URL)
    assert response.status_code == 429
    assert "up to 2 times in 10 minutes" in response.content.decode()
    clock.now += 600
    assert _export(client).status_code == 200


def test_an_export_that_fails_is_not_counted(client, clock, monkeypatch):
    client.force_login(TraineeFactory())

    def broken(**kwargs):
        raise OSError("storage unavailable")

    original = services.user_data_export
    monkeypatch.setattr(services, "user_data_export", broken)
    for _n in range(3):
        with pytest.raises(OSError):
            client.post(EXPORT_URL)
    monkeypatch.setattr(services, "user_data_export", original)
    _five_exports(client, clock)
    assert _export(client).status_code == 429


def test_without_the_cache_the_export_is_allowed(client, clock, settings, monkeypatch, caplog):
    """Redis unreachable (django-redis ignores the errors): fail open, see throttle."""
    monkeypatch.setattr(allauth_ratelimit, "CACHE_LOCK_WAIT_TIMEOUT", 0.05)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    client.force_login(TraineeFactory())
    for _n in range(7):
        assert _export(client).status_code == 200
    assert "rate-limit cache unavailable" in caplog.text
