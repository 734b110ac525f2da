from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for development and the browser tests; never for production.

    It sits above every other app so each later feature can add its own seed step here.
    """

    name = "lms.demo"
    label = "demo"
    verbose_name = "Demo content"
