"""Tell workers and the destination ministry that a grace period to find a new employer has ended (run daily).

Nothing else happens to the worker: the journey does not move and no sanction follows (docs/mobility.md)."""

from django.core.management.base import BaseCommand

from corridor.mobility.services import grace_notify


class Command(BaseCommand):
    help = "Notify workers and the ministry of grace periods that have ended (once per change of employer)."

    def handle(self, *args, **options):
        sent = grace_notify()
        self.stdout.write(f"{len(sent)} grace period(s) ended; the workers and the ministry were notified.")
