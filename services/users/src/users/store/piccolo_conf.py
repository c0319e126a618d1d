"""Piccolo configuration for the users migrations.

Run them with `python -m tickethub.db.migrate users.store.piccolo_conf`.
"""

import os

from piccolo.conf.apps import AppRegistry

from tickethub.db import make_engine
from users.store.piccolo_app import MIGRATED_APPS

DB = make_engine(os.environ["DATABASE_URL"])

APP_REGISTRY = AppRegistry(apps=list(MIGRATED_APPS))
