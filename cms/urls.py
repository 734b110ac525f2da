"""URLs of the method library outside the page tree ("my list"), under /my-list/."""

from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.saved_list, name="saved_list"),
    path("<int:page_id>/save/", views.save_item, name="save"),
    path("<int:page_id>/remove/", views.remove_item, name="remove"),
]
