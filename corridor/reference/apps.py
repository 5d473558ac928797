from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "corridor.reference"
    label = "reference"
    verbose_name = "Reference data (ISCO-08, ESCO, countries, languages, currencies, sectors)"
