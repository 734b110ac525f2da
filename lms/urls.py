from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views

from . import views

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    re_path(r"^documents/(\d+)/(.*)$", cms_views.serve_document, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Japanese without a prefix, English under /en/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("lms.accounts.urls")),
    path("learn/", include("lms.courses.urls")),
    path("quizzes/", include("lms.assessments.urls")),
    path("fieldwork/", include("lms.fieldwork.urls")),
    path("certificates/", include("lms.certificates.urls")),
    path("reminders/", include("lms.reminders.urls")),
    path("privacy/", include("lms.privacy.urls")),
    path("my-list/", include("cms.urls")),
    path("search/", cms_views.search, name="search"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
