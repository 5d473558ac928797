"""`corridor generate --seed S --scale N`: large synthetic data sets through bulk paths, for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from corridor.demo import generate


class Command(BaseCommand):
    help = "Generate synthetic programmes, organisations and users (and, as the platform grows, the rest of the cycle)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed; each seed can be generated once.")
        parser.add_argument("--scale", type=int, default=100, help="Number of programmes; other counts follow from it.")
        parser.add_argument("--only", nargs="*", help=f"Generators to run, among: {', '.join(n for n, _ in generate.GENERATORS)}")

    def handle(self, *args, seed, scale, only, **options):
        if scale < 1 or scale > 1_000_000:
            raise CommandError("--scale must be between 1 and 1,000,000.")
        unknown = set(only or []) - {n for n, _ in generate.GENERATORS}
        if unknown:
            raise CommandError(f"Unknown generators: {', '.join(sorted(unknown))}.")
        try:
            results = generate.run(seed=seed, scale=scale, only=only)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, counts, seconds in results:
            figures = ", ".join(f"{k}={v:,}" for k, v in counts.items())
            self.stdout.write(f"{name:<12} {seconds:8.2f} s  {figures}")
