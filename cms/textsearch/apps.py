from django.apps import AppConfig


class TextSearchConfig(AppConfig):
    name = "cms.textsearch"
    label = "textsearch"
    verbose_name = "Japanese text search"
    default_auto_field = "django.db.models.BigAutoField"
