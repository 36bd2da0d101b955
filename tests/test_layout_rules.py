"""The layout (README, Layout): one package per domain between `core` and the wiring in `web`, and
the import rules of pyproject.toml's [tool.importlinter] contracts, which import-linter checks."""
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = {"accounts", "api", "articles", "audit", "citations", "core", "demo", "desk", "notifications", "public",
           "reviews", "web"}


def test_the_package_holds_only_the_app_factory_and_one_package_per_domain():
    package = ROOT / "editorial"
    assert sorted(p.name for p in package.glob("*.py")) == ["__init__.py"]
    assert {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == DOMAINS


def test_every_import_keeps_to_the_layout_rules(capsys):
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "5 kept, 0 broken" in report
