from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "corridor.recruitment"
    label = "recruitment"
    verbose_name = "Recruitment agencies and the cost ledger"

    def ready(self) -> None:
        """Give the worker pool its licence check: an agency registers workers only under a licence in force for
        their origin country (the pool asks through a registry, so that it never imports this app)."""
        import importlib

        from corridor.recruitment import services

        try:
            worker_services = importlib.import_module("corridor.workers.services")
        except ModuleNotFoundError as exc:  # the pool's services are not there yet
            if exc.name != "corridor.workers.services":
                raise
            return
        register = getattr(worker_services, "register_agency_check", None)
        if register is not None:
            register(services.agency_worker_check)
