from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "corridor.payroll"
    label = "payroll"
    verbose_name = "Pay runs checked against the contract"
