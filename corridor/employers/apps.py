from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "corridor.employers"
    label = "employers"
    verbose_name = "Employers, worksites and housing"
