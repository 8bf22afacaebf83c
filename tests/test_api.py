"""A public API an editor can trust: typed, keyword-only signatures, one meaning per parameter
name (``scenario``, ``overrides``, ``n_draws``, ``corridors``), no clash with a builtin or a
module name."""

from __future__ import annotations

import builtins
import inspect
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from netbuilders import make_link, make_network, make_node

import geo
from geo import LayerError
from geo.layers import select_corridors
from geo.routing.estimate import N_DRAWS

GEO = Path(geo.__file__).resolve().parent

FUNCTIONS = {name: getattr(geo, name) for name in geo.__all__
             if name != "__version__" and inspect.isfunction(getattr(geo, name))}
#: Functions whose leading positional arguments are one datum in several parts.
POSITIONAL = {"route": 2, "od_matrix": 2, "compare": 2, "distance_km": 4}


def params(name: str) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(FUNCTIONS[name]).parameters)


def test_the_api_has_functions() -> None:
    assert {"route", "od_matrix", "near", "make_map", "figure", "build_gallery"} <= set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_signature_is_typed_and_keyword_only(name: str) -> None:
    sig = inspect.signature(FUNCTIONS[name])
    assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    untyped = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"{name}: untyped parameters {untyped}"
    positional = [p.name for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= POSITIONAL.get(name, 1), f"{name}: positional {positional}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_parameter_shadows_a_builtin(name: str) -> None:
    clashes = [p for p in params(name) if p in dir(builtins)]
    assert not clashes, f"{name}: parameters {clashes} shadow builtins"


def test_no_public_name_is_a_builtin_or_a_module() -> None:
    modules = {p.stem for p in GEO.glob("*.py")} | {p.name for p in GEO.iterdir() if p.is_dir()}
    assert not (set(geo.__all__) & set(dir(builtins)))
    assert not (set(geo.__all__) & modules)


def test_declared_return_types() -> None:
    assert inspect.signature(geo.route).return_annotation == "Route"
    assert inspect.signature(geo.od_matrix).return_annotation == "pd.DataFrame"
    assert params("route")["optimize"].annotation == "Optimize"
    assert geo.Optimize.__args__ == ("time", "distance")


def test_scenario_means_one_thing_and_comes_with_overrides() -> None:
    users = sorted(n for n in FUNCTIONS if "scenario" in params(n))
    assert {"route", "od_matrix", "compare", "load_scenario"} <= set(users)
    for name in users:
        assert params(name)["scenario"].annotation == "ScenarioLike", name
        assert "overrides" in params(name), f"{name} takes scenario= but not overrides="


def test_n_draws_has_one_default() -> None:
    users = [n for n in FUNCTIONS if "n_draws" in params(n)]
    assert {"route", "od_matrix", "compare", "build_gallery"} <= set(users)
    assert {n: params(n)["n_draws"].default for n in users} == dict.fromkeys(users, N_DRAWS)


def test_corridors_means_one_thing() -> None:
    users = sorted(n for n in FUNCTIONS if "corridors" in params(n))
    assert users == ["build_gallery", "figure", "make_map", "near"]
    for name in users:
        assert params(name)["corridors"].annotation.endswith("CorridorSelection"), name
        assert params(name)["corridors"].default is True, name


# --------------------------------------------------------------------------- corridors=


def test_select_corridors_forms() -> None:
    every = select_corridors(True)
    ids = list(every["id"])
    assert len(ids) >= 2 and list(geo.corridors()["id"]) == ids
    assert len(select_corridors(False)) == 0
    assert list(select_corridors(False).columns) == list(every.columns)
    assert list(select_corridors(ids[1])["id"]) == [ids[1]]
    assert list(select_corridors([ids[1], ids[0]])["id"]) == [ids[1], ids[0]]  # order given
    frame = every.iloc[:1]
    assert select_corridors(frame) is frame


@pytest.mark.parametrize("bad", [None, 3, [1, 2]])
def test_select_corridors_refuses_other_values(bad: object) -> None:
    with pytest.raises(TypeError, match="corridors must be True"):
        select_corridors(bad)  # type: ignore[arg-type]


def _near_unknown(tmp_path: Path) -> None:
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(70.0, 40.0)], crs="EPSG:4326")
    geo.near(pts, corridors=["no_such_corridor"], with_country=False)


@pytest.mark.parametrize("call", [
    lambda tmp: geo.make_map(corridors=["no_such_corridor"]),
    lambda tmp: geo.figure(tmp / "f.png", corridors=["no_such_corridor"]),
    lambda tmp: geo.build_gallery(tmp, corridors=["no_such_corridor"], comparison=None),
    _near_unknown,
], ids=["make_map", "figure", "build_gallery", "near"])
def test_unknown_corridor_id_is_the_same_error_everywhere(call, tmp_path: Path) -> None:
    with pytest.raises(LayerError, match=r"no_such_corridor.*unknown corridor id; known ids"):
        call(tmp_path)


def test_near_takes_one_corridor_id_and_a_point_file(tmp_path: Path) -> None:
    cid = str(geo.corridors()["id"].iloc[0])
    line = geo.corridors().geometry.iloc[0]
    lon, lat = shapely.get_coordinates(line)[0]
    csv = tmp_path / "points.csv"
    csv.write_text(f"lon,lat\n{lon},{lat}\n", encoding="utf-8")
    out = geo.near(csv, corridors=cid, with_country=False)
    assert list(out["corridor_id"]) == [cid]
    assert out["distance_km"].iloc[0] == pytest.approx(0.0, abs=0.01)


# --------------------------------------------------------------------------- overrides=


def test_od_matrix_takes_overrides_like_route() -> None:
    a, b = make_node("a", 10.0, 10.0), make_node("b", 11.0, 10.0)
    net = make_network([a, b], [make_link("ab", a, b, length_km=100.0)])
    slow = {"speed_kmh.rail": 10.0}
    matrix = geo.od_matrix(["a"], ["b"], overrides=slow, network=net, n_draws=50)
    one = geo.route("a", "b", overrides=slow, network=net, n_draws=50)
    assert matrix["moving_h"].iloc[0] == pytest.approx(one.moving_h)
    assert one.moving_h == pytest.approx(100.0 / 10.0)
