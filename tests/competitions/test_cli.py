"""The competition commands' contract."""

import json

from tests.test_cli import recruit


def test_competitions_json_lists_id_title_region_and_state(database_url, db, announce):
    first = announce(title="Chief specialist")
    result = recruit(database_url, "competitions", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"competitions": [
        {"id": first.id, "title": "Chief specialist", "region": "KZ-71", "state": "open"}]}
