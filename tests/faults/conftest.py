"""Fixtures of the fault tests."""

from __future__ import annotations

import pytest

from tests.conftest import IN_CI
from tests.faults.postgres_cluster import Cluster, postgres_bin


@pytest.fixture
def own_postgres():
    """A running cluster with an empty database `merit`; its URL is `cluster.url`."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        if IN_CI:
            pytest.fail("CI=true but no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        pytest.skip("no PostgreSQL binaries under /usr/lib/postgresql/*/bin to start a cluster of the test's own")
    cluster = Cluster(bin_dir)
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.remove()
