from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "hyperlocal.orders"
    verbose_name = "Orders"
