"""`corridor pathways-refresh`: recompute every worker's pathway status and tell the newly eligible, once."""

from django.core.management.base import BaseCommand

from corridor.pathways import services


class Command(BaseCommand):
    help = "Recompute every worker's progress towards the programmes' pathways; notify newly eligible workers once."

    def handle(self, *args, **options):
        counts = services.refresh_all()
        self.stdout.write(
            f"{counts['workers']} workers checked: {counts['eligible']} eligible, {counts['near']} nearly eligible, "
            f"{counts['notified']} newly notified.")
