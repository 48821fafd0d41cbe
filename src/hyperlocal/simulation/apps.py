from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "hyperlocal.simulation"
    verbose_name = "Simulation"
