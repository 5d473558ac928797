from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "corridor.demo"
    label = "demo"
    verbose_name = "Demo and synthetic data"
