from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "corridor.recruitment"
    label = "recruitment"
    verbose_name = "Recruitment agencies and the cost ledger"
