from django.apps import AppConfig


class WagesConfig(AppConfig):
    name = "corridor.wages"
    label = "wages"
    verbose_name = "Prevailing and minimum wages"
