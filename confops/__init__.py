"""confops: conference registration and event operations for medical societies."""

import os

# Piccolo finds its engine and app registry through this module; set it before any table
# is touched so that the `piccolo` CLI and `confops` agree on one configuration.
os.environ.setdefault("PICCOLO_CONF", "confops.piccolo_conf")
