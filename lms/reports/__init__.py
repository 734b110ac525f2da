"""Instructor reporting (issue 8): reads across courses, assessments, fieldwork and certificates.

Each report is a subpackage with its own selectors, admin views and ``wagtail_hooks``:

- ``gradebook``: one row per trainee per course or cohort, with CSV/XLSX export;
- ``cohorts``: the cohort dashboard (completion funnel, weekly activity, trainees at risk);
- ``queues``: review queues (enrollments, fieldwork, essays) on the Wagtail admin home.

The app's ``wagtail_hooks`` only imports the subpackages' hooks.
"""
