from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "hyperlocal.regions"
    verbose_name = "Regions"
