from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "corridor.contracts"
    label = "contracts"
    verbose_name = "Placements and contracts"
