"""`corridor loadreference`: load or refresh the shipped ISCO-08 groups and ESCO occupations (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from corridor.reference.loading import load_reference
from corridor.reference.models import EscoOccupation, IscoGroup


class Command(BaseCommand):
    help = (
        "Load the ISCO-08 groups and ESCO occupations shipped in corridor/reference/data into the database. "
        "Safe to run again: new rows are created, changed rows updated, nothing is deleted."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            report = load_reference(IscoGroup, EscoOccupation)
        for label, counts in (("ISCO-08 groups", report.isco), ("ESCO occupations", report.esco)):
            self.stdout.write(
                f"{label}: {counts.total} in the file, {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {IscoGroup.objects.count()} ISCO-08 groups, "
                f"{EscoOccupation.objects.count()} ESCO occupations in the database."
            )
        )
