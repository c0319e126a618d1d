"""Piccolo configuration for running payment's migrations (`python -m tickethub.db.migrate`)."""

import os

from piccolo.conf.apps import AppRegistry

from payment.store.piccolo_app import MIGRATED_APPS
from tickethub.db import make_engine

DB = make_engine(os.environ["DATABASE_URL"])
APP_REGISTRY = AppRegistry(apps=list(MIGRATED_APPS))
