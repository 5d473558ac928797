from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "corridor.selection"
    label = "selection"
    verbose_name = "Selection of workers for job orders"
