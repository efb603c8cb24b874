"""Builds out of the source tree. Everything about the package is in pyproject.toml; this file only
points setuptools' scratch directories (build/ and lrfinder.egg-info) at a temporary directory,
removed when the build ends. pip >= 21.3 builds a local directory in place (no copy first), and
setuptools has no static setting for a build directory outside the project, so without this
`pip install clients/python` would leave build/ and lrfinder.egg-info/ in the checkout."""
import atexit
import os
import shutil
import tempfile

from setuptools import setup

_scratch = tempfile.mkdtemp(prefix="lrfinder-build-")
atexit.register(shutil.rmtree, _scratch, True)

setup(options={"build": {"build_base": os.path.join(_scratch, "build")}, "egg_info": {"egg_base": _scratch}})
