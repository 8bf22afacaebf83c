"""The folder shows the layers, and imports only go one way: base <- data <- model <- outputs <- cli.

Parsed with :mod:`ast` (nothing is imported), so a wrong-way import fails here even when it
sits inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"

#: Tier of every module, by dotted name prefix (longest prefix wins).  Lower tiers never
#: import higher ones.
TIERS: dict[str, int] = {
    "geo._errors": 0,
    "geo._io": 0,
    "geo._format": 0,
    "geo.schema": 1,
    "geo._validate": 1,
    "geo._validate_arrangements": 1,
    "geo._provenance": 1,
    "geo.layers": 1,
    "geo.measure": 1,
    "geo.readers": 1,
    "geo.writers": 1,
    "geo.routing": 2,
    "geo.proximity": 2,
    "geo._nearest": 2,
    "geo._nearcells": 2,
    "geo._conformal": 2,
    "geo._countrygrid": 2,
    "geo.arrangements": 2,
    "geo.membership": 2,
    "geo.financing": 2,
    "geo.site_finance": 2,
    "geo.places": 2,
    "geo.maps": 3,
    "geo.cli": 4,
}
TIER_NAMES = ["base", "data", "model", "outputs", "cli"]
#: The package entry points may reach every tier.
EXEMPT = {"geo", "geo.__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(GEO.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def tier_of(name: str) -> int | None:
    best = None
    for prefix, tier in TIERS.items():
        if (name == prefix or name.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[0])):
            best = (prefix, tier)
    return None if best is None else best[1]


def imported_modules(path: Path, name: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("geo")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            if not mod.startswith("geo"):
                continue
            if mod == "geo":  # from geo import layers -> the submodule, if it is one
                out += [(node.lineno, f"geo.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, mod))
    return out


MODULES = sorted(p for p in GEO.rglob("*.py"))


def test_every_module_has_a_tier() -> None:
    missing = [module_name(p) for p in MODULES
               if module_name(p) not in EXEMPT and tier_of(module_name(p)) is None]
    assert not missing, f"give these modules a tier in TIERS: {missing}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_only_go_down_the_layers(path: Path) -> None:
    name = module_name(path)
    if name in EXEMPT:
        return
    own = tier_of(name)
    assert own is not None
    wrong = []
    for line, target in imported_modules(path, name):
        tier = tier_of(target)
        if tier is not None and tier > own:
            wrong.append(f"{path.relative_to(GEO.parent)}:{line} ({TIER_NAMES[own]}) imports "
                         f"{target} ({TIER_NAMES[tier]})")
    assert not wrong, "wrong-way imports:\n" + "\n".join(wrong)


def test_the_checker_catches_a_wrong_way_import(tmp_path: Path) -> None:
    """The rule is not vacuous: a data module importing the maps is caught."""
    fake = GEO / "layers.py"
    found = imported_modules(fake, "geo.layers")
    assert all(tier_of(t) is None or tier_of(t) <= 1 for _, t in found)
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from geo.maps.interactive import make_map\n", encoding="utf-8")
    (target,) = [t for _, t in imported_modules(bad, "geo.layers")]
    assert tier_of(target) == 3 > tier_of("geo.layers")


def test_no_public_function_shadows_its_module_or_a_builtin() -> None:
    import builtins
    import importlib

    import geo

    for name in geo.__all__:
        assert not hasattr(builtins, name) or name.startswith("__"), f"geo.{name} shadows a builtin"
        try:
            importlib.import_module(f"geo.{name}")
        except ModuleNotFoundError:
            continue
        raise AssertionError(f"geo.{name} is both a public name and a module")


def test_every_public_name_resolves() -> None:
    import geo

    for name in geo.__all__:
        assert getattr(geo, name) is not None, name
    assert sorted(geo.__all__) == geo.__all__
    assert set(geo.__all__) == {*geo._EXPORTS, "__version__"}


#: Libraries imported inside functions because they are optional (dask, tqdm) or slow to
#: load and needed by few calls (matplotlib for figures, searoute for sea legs, pyogrio for
#: GeoPackages).
LAZY_LIBRARIES = {"dask", "matplotlib", "searoute", "pyogrio", "tqdm"}
#: geo modules that pull in geopandas or the whole data layer: ``geo._provenance`` reads the
#: layers' versions, ``geo`` itself lets the model reach the maps through the public API.
HEAVY_GEO = {"geo", "geo._provenance"}


def function_level_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, imported module, source line) of every import inside a function."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import):
                    out += [(sub.lineno, a.name, lines[sub.lineno - 1]) for a in sub.names]
                elif isinstance(sub, ast.ImportFrom):
                    out.append((sub.lineno, sub.module or "", lines[sub.lineno - 1]))
    return out


def lazy_import_reason(path: Path, module: str, source_line: str) -> str | None:
    """Why an import inside a function is there, or None when it has no reason to be."""
    top = module.split(".")[0]
    if top in LAZY_LIBRARIES:
        return "optional or slow library"
    if module in HEAVY_GEO:
        return "loads the data layer"
    if "imports this module" in source_line:
        return "breaks a cycle (marked)"
    cli = GEO / "cli"
    light = {"geo._errors", "geo._io", "geo._format", "geo.schema", "geo.cli._common"}
    if cli in path.parents and top == "geo" and module not in light:
        return "a command's library, so --help stays light"
    return None


def test_imports_inside_functions_have_a_reason() -> None:
    needless = [f"{path.relative_to(GEO.parent)}:{line} imports {module}"
                for path in MODULES
                for line, module, source in function_level_imports(path)
                if lazy_import_reason(path, module, source) is None]
    assert not needless, ("imports inside functions that could be at the top (or say why):\n"
                          + "\n".join(needless))


def test_the_lazy_import_rule_flags_a_needless_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import json\n    from geo._errors import GeoError\n"
                   "    import matplotlib\n", encoding="utf-8")
    reasons = [lazy_import_reason(GEO / "cli" / "bad.py", m, s)
               for _, m, s in function_level_imports(bad)]
    assert reasons[0] is None and reasons[1] is None and reasons[2] is not None
