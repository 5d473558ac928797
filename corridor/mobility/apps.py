from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "corridor.mobility"
    label = "mobility"
    verbose_name = "Change of employer"
