from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "corridor.accounts"
    label = "accounts"
    verbose_name = "Organisations, users and roles"

    def ready(self) -> None:
        from corridor.accounts.tokens import find_token
        from corridor.core.api_auth import register_token_finder

        register_token_finder(find_token)
