"""Rebuild the Japanese search index: ``python manage.py textsearch_reindex [app.Model ...]``."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from cms.textsearch.registry import registered_models
from cms.textsearch.services import reindex_all


class Command(BaseCommand):
    help = (
        "Index every registered model (or the ones named, as app_label.ModelName) and drop "
        "entries whose object is gone or not live. Without names, entries of models that "
        "are no longer registered are purged too."
    )

    def add_arguments(self, parser):
        parser.add_argument("models", nargs="*", metavar="app_label.ModelName")

    def handle(self, *args, **options):
        models = None
        if options["models"]:
            models = []
            for label in options["models"]:
                try:
                    model = apps.get_model(label)
                except (LookupError, ValueError) as error:
                    raise CommandError(f"Unknown model {label!r}: {error}") from error
                if model not in registered_models():
                    raise CommandError(f"{label} is not registered with textsearch")
                models.append(model)
        elif not registered_models():
            self.stdout.write("No model is registered with textsearch; nothing to index.")
        report = reindex_all(models)
        for label, counts in report.items():
            parts = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.stdout.write(f"{label}: {parts}")
