from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "corridor.pathways"
    label = "pathways"
    verbose_name = "Pathways, skills certificates and reintegration"
