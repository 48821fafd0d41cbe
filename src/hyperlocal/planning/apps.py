from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "hyperlocal.planning"
    verbose_name = "Planning"
