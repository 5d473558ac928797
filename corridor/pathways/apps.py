from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "corridor.pathways"
    label = "pathways"
    verbose_name = "Pathways, skills certificates and reintegration"

    def ready(self) -> None:
        from corridor.deployment.services import register_return_listener
        from corridor.pathways import services
        from corridor.selection.services import register_season_listener

        # A return or a season record may make the worker eligible: recompute at once, in the same transaction.
        register_return_listener(lambda actor, journey: services.refresh(journey.worker, actor=actor))
        register_season_listener(lambda actor, record: services.refresh(record.worker, actor=actor))
