from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "hyperlocal.dispatch"
    verbose_name = "Dispatch"
