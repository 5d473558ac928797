"""`corridor demo`: migrate, load reference data and build the demo; prints the logins."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from corridor.core.access import Role


class Command(BaseCommand):
    help = "Build the demo database (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        from corridor.demo.content import build_demo

        result = build_demo()
        out = self.stdout
        out.write(self.style.SUCCESS("Corridor demo is ready."))
        out.write("")
        out.write("Open http://127.0.0.1:8000 and sign in with one of these accounts")
        out.write(f"(every demo account has the password: {result['password']})")
        out.write("")
        out.write(f"  {'username':<22} {'role':<58} name")
        for spec in result["users"]:
            out.write(f"  {spec.username:<22} {Role(spec.role).label:<58} {spec.first_name} {spec.last_name}")
        out.write("")
        if settings.CORRIDOR_ENFORCE_SECOND_FACTOR:
            out.write("Second factor: officials enrol an authenticator app (TOTP) at first sign-in and enter its code.")
        else:
            out.write(
                "Second factor: not enforced in demo mode (CORRIDOR_DEMO=1). Outside demo mode, officials enrol an "
                "authenticator app (TOTP) at first sign-in; you can try it at /accounts/second-factor/."
            )
        out.write("Programmes: " + ", ".join(p.code for p in result["programmes"]))
