from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "corridor.returns"
    label = "returns"
    verbose_name = "End of stay, return and season evaluations"
