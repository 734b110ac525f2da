"""Benchmark URLconf: the application's URLs plus a bare view at /bench/bare/."""

from django.http import HttpResponse
from django.urls import path

from lms.urls import urlpatterns as lms_urlpatterns


def bare(request):
    """The baseline: no database, no template, through the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    *lms_urlpatterns,
]
