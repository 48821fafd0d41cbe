from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "hyperlocal.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Role groups need the permissions that Django creates after migrating, so they are
        # (re)built at the same moment, the way Django builds its own permissions.
        from hyperlocal.accounts.roles import ensure_roles_after_migrate

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="hyperlocal-ensure-roles")
