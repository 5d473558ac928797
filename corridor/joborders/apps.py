from django.apps import AppConfig


class JobOrdersConfig(AppConfig):
    name = "corridor.joborders"
    label = "joborders"
    verbose_name = "Job orders"
