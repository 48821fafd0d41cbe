from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "hyperlocal.catalog"
    verbose_name = "Catalog"
