"""Piccolo's configuration: the engine comes from settings, the registry is one app.

`confops.db.use_engine()` replaces DB at run time (tests switch engines in one process).
"""

from piccolo.conf.apps import AppRegistry

from confops.db import make_engine
from settings import load_settings

DB = make_engine(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["confops.piccolo_app"])
