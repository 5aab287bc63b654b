"""Records: patients, courses, delivered sessions and outcomes in a real database (SQLite by default, PostgreSQL
through ``LIGHTDOSE_DATABASE_URL``), with accounts, roles, tenant isolation and an append-only audit log
(docs/records.md).

- :mod:`~lightdose.records.db`: the URL, the engine, the migrations, transactions;
- :mod:`~lightdose.records.models`: the tables; :mod:`~lightdose.records.schemas`: what the API accepts;
- :mod:`~lightdose.records.auth`: passwords, logins, API tokens, roles;
- :mod:`~lightdose.records.service`: every action, role-checked and audited;
- :mod:`~lightdose.records.dosimetry`: the delivered dose, computed by the stages;
- :mod:`~lightdose.records.cohort`: the researcher's de-identified cohort;
- :mod:`~lightdose.records.backup`: backup and restore; :mod:`~lightdose.records.setup`: users and the demo clinic.

The records sit above planning and present and below the web app and the CLI (docs/architecture.md).
"""
