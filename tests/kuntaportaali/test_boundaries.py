"""The layout's boundaries hold: the two domain apps never import each other, and the shared kits in
kuntaportaali/ import neither (only the project's wiring - cron, production settings, the front page
and the demo's seeding - imports the apps; the URLs name them as strings)."""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
WIRING = {
    "kuntaportaali/cron.py",
    "kuntaportaali/views.py",
    "kuntaportaali/settings/production.py",
    "kuntaportaali/management/commands/seed_demo.py",
}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in it the import statement is."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted((PROJECT / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "other"), [("surveys", "hrreports"), ("hrreports", "surveys")])
def test_the_domain_apps_never_import_each_other(package, other):
    importing = [str(path.relative_to(PROJECT)) for path in modules(package) if other in imported_packages(path)]

    assert importing == []


def test_the_shared_kits_import_neither_domain_app():
    importing = [
        relative
        for path in modules("kuntaportaali")
        if (relative := str(path.relative_to(PROJECT))) not in WIRING
        and imported_packages(path) & {"surveys", "hrreports"}
    ]

    assert importing == []
    assert [
        wiring for wiring in sorted(WIRING) if imported_packages(PROJECT / wiring) & {"surveys", "hrreports"}
    ] == sorted(WIRING)


def test_the_import_reader_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from hrreports.models import Unit\n    import surveys.jobs\n")

    assert imported_packages(module) == {"hrreports", "surveys"}


def imports_jobs(path: Path) -> bool:
    """Whether a module imports an app's `jobs` module (`from surveys.jobs import ...`, `from .. import jobs`)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import) and any("jobs" in alias.name.split(".") for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (
            "jobs" in (node.module or "").split(".") or any(alias.name == "jobs" for alias in node.names)
        ):
            return True
    return False


@pytest.mark.parametrize("app", ["surveys", "hrreports"])
def test_services_selectors_and_reports_name_the_jobs_they_enqueue_and_never_import_them(app):
    """Jobs call services; a service queues a job by its dotted name, so the two never import each other."""
    layers = [*(PROJECT / app / "services").rglob("*.py"), *(PROJECT / app / "reports").rglob("*.py")]
    layers += [PROJECT / app / "selectors.py"] if (PROJECT / app / "selectors.py").exists() else []
    importing = [str(path.relative_to(PROJECT)) for path in sorted(layers) if imports_jobs(path)]

    assert importing == []
