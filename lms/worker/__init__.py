"""The task worker process: django-tasks-db's ``db_worker``, made to outlive database outages.

``python manage.py task_worker`` takes the same options as ``db_worker``. It imports no
other app of the project (it sits outside the layers).
"""
