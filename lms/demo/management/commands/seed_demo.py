"""python manage.py seed_demo — the demo site and accounts (development only, idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.demo import content
from lms.demo.seed import seed_all


class Command(BaseCommand):
    help = "Create the demo page tree and demo accounts. Running it again changes nothing."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_SEED_ALLOWED", False):
            raise CommandError(
                "seed_demo refuses to run with production settings: it creates accounts "
                "with a published password."
            )
        seed_all(log=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write("Demo accounts (development only), password: " + content.DEMO_PASSWORD)
        for spec in content.USERS:
            self.stdout.write(f"  {spec['email']}")
