from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "hyperlocal.inventory"
    verbose_name = "Inventory"
