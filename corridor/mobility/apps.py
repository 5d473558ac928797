from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "corridor.mobility"
    label = "mobility"
    verbose_name = "Change of employer"

    def ready(self) -> None:
        from corridor.employers.services import register_sanction_listener
        from corridor.mobility.services import release_for_sanction

        register_sanction_listener(release_for_sanction)
