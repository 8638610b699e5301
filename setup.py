"""Packaging hook: the wheel carries the folders that live beside the package in a checkout.

templates/, migrations/ and badges/ (layouts and fonts) stay at the top of the repository,
where people and `make migration` expect them; building the wheel copies them into
confops/_shipped/, where confops/resources.py finds them in an installed package. Editable
installs (`pip install -e .`) read them from the checkout, so nothing is copied then.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("templates", "migrations", "badges")
HERE = Path(__file__).resolve().parent


class BuildWithShippedFolders(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "confops" / "_shipped"
        for name in SHIPPED:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(HERE / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithShippedFolders})
