import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_vendored_htmx_matches_the_version_in_the_readme():
    script = (ROOT / "recruit" / "static" / "htmx.min.js").read_text()
    version = re.search(r'version:"([0-9.]+)"', script).group(1)
    assert f"htmx {version}" in (ROOT / "README.md").read_text()
