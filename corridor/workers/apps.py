from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "corridor.workers"
    label = "workers"
    verbose_name = "Workers: the work-ready pool"
