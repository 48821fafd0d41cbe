from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "hyperlocal.worker"
    verbose_name = "Background worker"
