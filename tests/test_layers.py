"""The layer rules of the README, checked on the source so they cannot erode."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_OR_DB = ("litestar", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "jinja2", "recruit", "uvicorn", "httpx")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def test_pure_packages_import_no_web_or_database_code():
    for package in ("question_bank", "reports"):
        for path in _modules(package):
            bad = {name for name in _imports(path) if name.split(".")[0] in WEB_OR_DB}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


LAYER = {"models": 1, "iin": 1, "passwords": 1, "service": 2, "forms": 2, "controllers": 4, "api": 4, "console": 4,
         **dict.fromkeys(("operations", "certificates", "statistics", "commission", "interviews", "decisions",
                          "protocols", "rules", "ranking", "rubrics", "mail", "counts", "appendices", "presentation"), 2)}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "recruit" or len(parts) == 1:
        return None
    if len(parts) == 2:
        return {"settings": 0, "db": 0, "i18n": 0, "errors": 0, "models": 1, "migrate": 1, "app": 5, "cli": 6,
                "demo": 5, "demo_competitions": 5, "campaign": 5, "campaign_competitions": 5, "bootstrap": 5}.get(parts[1])
    if parts[1] == "web":
        return 3
    return LAYER.get(parts[-1])


def test_nothing_imports_upward():
    """core 0 < models 1 < services 2 < web plumbing 3 < controllers 4 < app/demo 5 < cli 6."""
    for path in _modules("recruit"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = _layer(module)
        if own is None:
            continue
        for imported in _imports(path):
            other = _layer(imported)
            assert other is None or other <= own, f"{module} (layer {own}) imports {imported} (layer {other})"
