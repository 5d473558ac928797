from django.apps import AppConfig


class DeploymentConfig(AppConfig):
    name = "corridor.deployment"
    label = "deployment"
    verbose_name = "The worker's journey: departure, permits, travel, arrival, return"
