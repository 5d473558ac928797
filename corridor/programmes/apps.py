from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "corridor.programmes"
    label = "programmes"
    verbose_name = "Programmes and their rulebook"

    def ready(self) -> None:
        from corridor.core.home import register_home_panel
        from corridor.core.scope import register_programme_scope
        from corridor.programmes.selectors import home_panel, programme_ids_taking_part

        register_programme_scope(programme_ids_taking_part)
        register_home_panel(home_panel)
