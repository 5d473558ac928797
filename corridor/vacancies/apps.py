from django.apps import AppConfig


class VacanciesConfig(AppConfig):
    name = "corridor.vacancies"
    label = "vacancies"
    verbose_name = "Vacancy monitoring"
