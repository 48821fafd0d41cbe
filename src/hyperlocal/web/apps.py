from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hyperlocal.web"
    verbose_name = "Web"
