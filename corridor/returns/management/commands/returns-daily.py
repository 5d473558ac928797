"""`corridor returns-daily [--date YYYY-MM-DD]`: the daily run of the returns app (docs/returns.md).

Flags journeys whose latest permit ended with no return registered (a prompt to check, sent to the immigration
authority, the ministry, the origin authority and, in protective words, the worker), then scans the nominations of
open and recently closed selection rounds for possible retaliation (sent to the labour inspectorate only). Running
it again the same day (or any day) adds nothing already flagged. Cron: `15 2 * * * corridor returns-daily`.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Daily: overstay prompts and possible-retaliation flags (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="The day to scan for (YYYY-MM-DD); today by default.")

    def handle(self, *args, **options):
        from corridor.returns import services

        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD).") from None
        result = services.daily(day=day)
        self.stdout.write(f"{result['day'].isoformat()}: {len(result['overstay_flags'])} overstay flag(s) raised, "
                          f"{len(result['retaliation_flags'])} retaliation flag(s) raised.")
        for journey_id, reason in result["skipped"]:
            self.stdout.write(f"  journey {journey_id} not flagged: {reason}")
