from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "hyperlocal.hubs"
    verbose_name = "Hubs"
