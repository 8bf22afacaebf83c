"""Benchmarks of issues 5 and 11, each printed side by side with its baseline measured in the
same run.

    .venv/bin/python -m tests.benchmarks            # everything (about 10 minutes)
    .venv/bin/python -m tests.benchmarks --quick    # 10^4 and 10^5 points only
    .venv/bin/python -m tests.benchmarks --only map

0. Start-up: ``import geo`` and ``geo --help`` (fresh interpreters, median of 7 runs) vs
   importing every public name (what an eager ``import geo`` cost) and vs ``--help`` after
   loading the data layer (what the eager ``--version`` option cost).
1. ``geo.near(points)``, the default call (with the country), vs the geopandas pipeline
   (``to_crs`` to the Asia North Equidistant Conic, ESRI:102026, ``sjoin_nearest`` to the
   corridor links, ``sjoin`` within the country outlines) and vs the previous country
   look-up (an STRtree ``intersects`` query of every point), at 10^4, 10^5, 10^6 random
   points over 30-120 E, 28-52 N: wall time, peak RSS growth (each case in a fresh
   subprocess), the distance error against an exact geodesic reference on a sample, and
   the agreement of the countries with the pipeline's.
2. A 10^5-site map: build time, HTML size, and in headless Chromium (offline) the time from
   navigation to clusters drawn and to a first popup open; grid clusters vs
   Leaflet.markercluster (the previous clusterer) vs ``GeoDataFrame.explore``.
3. Routing: a 100 x 100 origin-destination matrix with ``geo.od_matrix`` (the network
   nodes plus project sites given as (lon, lat)), vs ``geo.route`` pair by pair, whose
   figures it must equal.
4. ``geo maps``: the gallery built twice, wall time and whether the two are byte-identical.

Figures are written to tests/_artifacts/benchmarks.json too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "_artifacts"
BBOX = (30.0, 28.0, 120.0, 52.0)  # lon/lat box of the random points (corridor region)
SEED = 20260101
PROJECTED = "ESRI:102026"  # Asia North Equidistant Conic


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Python "
            f"{platform.python_version()}, {platform.system()} {platform.machine()}")


# --------------------------------------------------------------------------- 0. start-up


def _median_run_s(cmd: list[str], runs: int) -> float:
    import statistics

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_startup(runs: int = 7) -> dict[str, Any]:
    py = sys.executable
    script = Path(py).with_name("geo")
    cli = [str(script)] if script.exists() else [py, "-m", "geo"]
    help_after = ("import contextlib, io\n{pre}\nfrom geo.cli.main import main\n"
                  "with contextlib.redirect_stdout(io.StringIO()), "
                  "contextlib.suppress(SystemExit):\n    main(['--help'])")
    cases = {
        "python -c pass (interpreter alone)": [py, "-c", "pass"],
        "import geo": [py, "-c", "import geo"],
        "import geo + every public name (eager)": [
            py, "-c", "import geo\nfor n in geo.__all__: getattr(geo, n)"],
        "geo --help": [*cli, "--help"],
        "geo --help after the data layer (previous)": [
            py, "-c", help_after.format(pre="import geo.layers")],
        "geo --help after every public name": [
            py, "-c", help_after.format(pre="import geo\nfor n in geo.__all__: getattr(geo, n)")],
    }
    print(f"\n== 0. start-up: median of {runs} fresh interpreters")
    out = {}
    for label, cmd in cases.items():
        out[label] = _median_run_s(cmd, runs)
        print(f"{label:46} {out[label]:6.2f} s")
    print("goals: geo --help <= 0.3 s, import geo <= 0.5 s")
    return out


# --------------------------------------------------------------------------- 1. near


def random_points(n: int, *, seed: int = SEED) -> Any:
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    # Row by row, so the first points are the same whatever n is (the error sample).
    u = rng.uniform(size=(n, 2))
    lon = BBOX[0] + u[:, 0] * (BBOX[2] - BBOX[0])
    lat = BBOX[1] + u[:, 1] * (BBOX[3] - BBOX[1])
    return gpd.GeoDataFrame({"k": np.arange(n)}, geometry=shapely.points(lon, lat),
                            crs="EPSG:4326")


def _child(method: str, n: int) -> dict[str, Any]:
    """Run one timing in this (fresh) process; return time, RSS growth, samples.

    ``near``: the default call ``geo.near(points)`` (prepares its index, finds the country).
    ``previous``: the nearest lines as ``near(with_country=False)`` plus the previous country
    look-up, an STRtree ``intersects`` query of every point against every outline.
    Otherwise ``method`` is a CRS: the geopandas pipeline projected to it.
    """
    import resource

    import geopandas as gpd
    import numpy as np
    import shapely

    import geo
    from geo.proximity import near, prepare

    pts = random_points(n)
    corridors, links, outlines = geo.corridors(), geo.links(), geo.countries()
    used = links[links["id"].isin({i for ids in corridors["link_ids"] for i in ids})]
    near(pts.iloc[:100], index=prepare(with_country=False))  # warm-up (imports)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if method == "near":
        out = near(pts)
        dist_km = out["distance_km"].to_numpy()
        country = out["country"].to_numpy(dtype=object)
    elif method == "previous":
        out = near(pts, index=prepare(), with_country=False)
        dist_km = out["distance_km"].to_numpy()
        geoms = outlines.geometry.to_numpy()
        pt, poly = shapely.STRtree(geoms).query(pts.geometry.to_numpy(), predicate="intersects")
        order = np.lexsort((poly, pt))
        pt, poly = pt[order], poly[order]
        first = np.r_[True, pt[1:] != pt[:-1]] if len(pt) else np.zeros(0, dtype=bool)
        country = np.full(n, None, dtype=object)
        country[pt[first]] = outlines["iso3"].to_numpy(dtype=object)[poly[first]]
    else:
        lines = used[["id", "geometry"]].to_crs(method)
        joined = gpd.sjoin_nearest(pts.to_crs(method), lines, distance_col="d_m")
        joined = joined[~joined.index.duplicated(keep="first")]  # ties: shared end points
        dist_km = joined["d_m"].to_numpy() / 1000.0
        inside = gpd.sjoin(pts, outlines[["iso3", "geometry"]], predicate="within", how="left")
        inside = inside[~inside.index.duplicated(keep="first")]
        country = inside["iso3"].to_numpy(dtype=object)
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = [None if c is None or c != c else str(c) for c in country[:COUNTRY_SAMPLE]]
    return {"seconds": seconds, "rss_growth_mib": max(0, rss1 - rss0) / 1024,
            "sample_km": dist_km[:SAMPLE].tolist(), "rows": len(dist_km),
            "country_sample": sample, "np": np.__version__}


COUNTRY_SAMPLE = 20_000
SAMPLE = 200


def _run_child(method: str, n: int) -> dict[str, Any]:
    code = ("import json,sys; from tests.benchmarks.run import _child; "
            f"print(json.dumps(_child({method!r}, {n})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def exact_distances_km(n_sample: int) -> list[float]:
    """Exact geodesic distance from the first points to the nearest corridor line.

    Every link used by a corridor is densified to <= 1 km along its geodesics; the best
    vertex and every vertex within 1 km of it bound the search, and the distance is then
    minimised by golden-section search on the geodesic sub-segments around them.
    """
    import math

    import numpy as np
    from pyproj import Geod

    from geo.proximity import prepare

    geod = Geod(ellps="WGS84")
    index = prepare(with_country=False).lines
    lon_v, lat_v, piece = [], [], []
    for k in range(len(index.length_km)):
        sel = index.piece == k
        lons, lats = index.lon[sel], index.lat[sel]
        for j in range(len(lons) - 1):
            seg = geod.inv(lons[j], lats[j], lons[j + 1], lats[j + 1])[2]
            npts = geod.npts(lons[j], lats[j], lons[j + 1], lats[j + 1], int(seg / 1000))
            lon_v += [lons[j], *(p[0] for p in npts)]
            lat_v += [lats[j], *(p[1] for p in npts)]
            piece += [k] * (1 + len(npts))
        lon_v.append(lons[-1])
        lat_v.append(lats[-1])
        piece.append(k)
    lon_a, lat_a, piece_a = np.array(lon_v), np.array(lat_v), np.array(piece)
    pts = random_points(n_sample)
    out = []
    g = (math.sqrt(5) - 1) / 2
    for x, y in zip(pts.geometry.x, pts.geometry.y, strict=True):
        d = geod.inv(np.full(len(lon_a), x), np.full(len(lon_a), y), lon_a, lat_a)[2]
        best = d.min()
        result = best
        for v in np.flatnonzero(d <= best + 1000.0):
            for a, b in ((v - 1, v), (v, v + 1)):
                if a < 0 or b >= len(lon_a) or piece_a[a] != piece_a[b]:
                    continue
                az, _, seg = geod.inv(lon_a[a], lat_a[a], lon_a[b], lat_a[b])

                def f(t: float, a: int = a, az: float = az, x: float = x,
                      y: float = y) -> float:
                    px, py, _ = geod.fwd(lon_a[a], lat_a[a], az, t)
                    return geod.inv(x, y, px, py)[2]

                lo, hi = 0.0, seg
                c, e = hi - g * (hi - lo), lo + g * (hi - lo)
                fc, fe = f(c), f(e)
                for _ in range(50):
                    if fc < fe:
                        hi, e, fe = e, c, fc
                        c = hi - g * (hi - lo)
                        fc = f(c)
                    else:
                        lo, c, fc = c, e, fe
                        e = lo + g * (hi - lo)
                        fe = f(e)
                result = min(result, fc, fe)
        out.append(result / 1000.0)
    return out


def bench_near(sizes: list[int]) -> dict[str, Any]:
    import numpy as np

    print(f"\n== 1. geo.near(points), default call with the country, vs the geopandas pipeline "
          f"(to_crs {PROJECTED} + sjoin_nearest + sjoin within the outlines); random points in "
          f"lon/lat box {BBOX}")
    exact = np.array(exact_distances_km(SAMPLE))
    results: dict[str, Any] = {"sizes": sizes, "box": BBOX, "cases": []}
    header = (f"{'points':>9} | {'geo.near s':>10} {'MiB':>5} | {'pipeline s':>10} {'MiB':>5} | "
              f"{'previous s':>10} | {'pipeline/near':>13} | {'near max err':>12} | "
              f"{'pipeline max err':>16} | {'same country':>12}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        a = _run_child("near", n)
        b = _run_child(PROJECTED, n)
        c = _run_child("previous", n)
        err = {}
        for key, res in (("near", a), ("pipeline", b)):
            rel = np.abs(np.array(res["sample_km"]) - exact) / exact
            err[key] = {"max": float(rel.max()), "median": float(np.median(rel))}
        same = float(np.mean([x == y for x, y in zip(a["country_sample"], b["country_sample"],
                                                      strict=True)]))
        exact_same = a["country_sample"] == c["country_sample"]
        case = {"points": n, "near": a, "pipeline": b, "previous": c, "error": err,
                "country_agreement_with_pipeline": same,
                "country_equal_to_previous": exact_same}
        for res in (a, b, c):
            res.pop("sample_km")
            res.pop("country_sample")
        results["cases"].append(case)
        print(f"{n:>9,} | {a['seconds']:>10.2f} {a['rss_growth_mib']:>5.0f} | "
              f"{b['seconds']:>10.2f} {b['rss_growth_mib']:>5.0f} | {c['seconds']:>10.2f} | "
              f"{b['seconds'] / a['seconds']:>13.2f} | {err['near']['max']:>12.2e} | "
              f"{err['pipeline']['max']:>16.2%} | {same:>12.4%}")
        if not exact_same:
            print("   !! countries differ from the previous look-up on the sample")
    print(f"errors: relative to the exact geodesic distance on the first {SAMPLE} points; "
          f"MiB: peak RSS growth during the call; same country: share of the first "
          f"{COUNTRY_SAMPLE:,} points where geo.near and the pipeline agree (they differ only "
          "on outline boundaries: within vs intersects); previous: the same call with the "
          "previous country look-up (its countries equal the new ones on the sample)")
    return results


# --------------------------------------------------------------------------- 2. map


def _sites(n: int) -> Any:
    import numpy as np

    pts = random_points(n, seed=SEED + 1)
    rng = np.random.default_rng(SEED + 2)
    pts["id"] = [f"site_{i}" for i in range(n)]
    pts["name"] = [f"Project {i}" for i in range(n)]
    pts["sector"] = rng.choice(["rail", "road", "port", "power_plant", "hydro"], n)
    pts["year"] = rng.integers(2000, 2024, n)
    return pts.drop(columns="k")


def _draw_seconds(path: Path, *, wait_js: str, timeout_s: float,
                  popup_js: str | None = None) -> dict[str, Any]:
    """Seconds from navigation to the load event, to ``wait_js`` true (drawn) and, with
    ``popup_js``, to the popup it opens being in the page (first popup clickable)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from conftest import CHROMIUM_ARGS, chromium_path  # the browser tests' settings

    exe = chromium_path()
    if exe is None:
        return {"skipped": "chromium not found"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:", "about:")) else r.abort())
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
        load_s = time.perf_counter() - t0
        popup_s: float | None = None
        try:
            page.wait_for_function(wait_js, timeout=timeout_s * 1000)
            drawn_s: float | None = time.perf_counter() - t0
            if popup_js is not None:
                page.evaluate(popup_js)
                page.wait_for_selector(".leaflet-popup-content .geo-points-popup",
                                       timeout=timeout_s * 1000)
                popup_s = time.perf_counter() - t0
        except Exception:  # a timeout is a result here
            drawn_s = None
        browser.close()
    return {"load_s": load_s, "drawn_s": drawn_s, "popup_s": popup_s}


def _offline_explore_html(html: str) -> str:
    """explore()'s page with Leaflet and jQuery inlined and the other CDN assets dropped
    (Bootstrap, Font Awesome: cosmetic), so it can draw with no network."""
    import re

    from geo.maps._assets import ASSETS, inline_assets

    known = {a.url for a in ASSETS.values()}
    pattern = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*></script>|"
                         r"<link\b[^>]*\bhref=\"([^\"]+)\"[^>]*>", re.IGNORECASE)

    def keep(m: re.Match[str]) -> str:
        url = m.group(1) or m.group(2)
        if url in known:
            return m.group(0)
        for asset in ASSETS.values():  # same library, other CDN path (leaflet 1.9.3)
            if asset.url.rsplit("/", 1)[-1] == url.rsplit("/", 1)[-1] and "leaflet" in url:
                return m.group(0).replace(url, asset.url)
        return ""

    return inline_assets(pattern.sub(keep, html))


def _stub_mapclassify() -> None:
    """explore() refuses to run without mapclassify (it brings scipy and scikit-learn, which
    this project does not install) although it calls it only to classify a ``column``;
    these points have none, so an empty stand-in module is enough."""
    import types

    try:
        import mapclassify  # noqa: F401
    except ImportError:
        stub = types.ModuleType("mapclassify")
        stub.classify = None  # type: ignore[attr-defined]
        sys.modules["mapclassify"] = stub


def bench_map(n: int) -> dict[str, Any]:
    from geo.maps._pointlayer import clustered_points_map

    print(f"\n== 2. a map of {n:,} sites: grid clusters vs Leaflet.markercluster (previous) vs "
          "GeoDataFrame.explore, headless Chromium, offline")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sites = _sites(n)
    drawn_js = "() => window.geoClusteredPoints && window.geoClusteredPoints['Sites'].drawnMs !== null"
    # what a click on point 0 fires: the layer's click handler builds and opens its popup
    popup_js = "() => window.geoClusteredPoints['Sites'].group.fire('click', {layer: {geoIndex: 0}})"
    results: dict[str, Any] = {"points": n}
    for label, clusterer in (("grid", "grid"), ("markercluster", "markercluster")):
        t0 = time.perf_counter()
        html = clustered_points_map(sites, name="Sites", color_by="sector",
                              cluster=clusterer).get_root().render()
        build_s = time.perf_counter() - t0
        path = ARTIFACTS / f"bench_pointlayer_{label}.html"
        path.write_text(html, encoding="utf-8")
        res = {"build_s": build_s, "html_mb": len(html.encode()) / 1e6}
        res.update(_draw_seconds(path, timeout_s=120, wait_js=drawn_js, popup_js=popup_js))
        results[label] = res
    _stub_mapclassify()
    t0 = time.perf_counter()
    html_e = sites.explore(tiles=None).get_root().render()
    explore_build = time.perf_counter() - t0
    exp_path = ARTIFACTS / "bench_explore.html"
    exp_path.write_text(_offline_explore_html(html_e), encoding="utf-8")
    theirs = {"build_s": explore_build, "html_mb": len(html_e.encode()) / 1e6}
    theirs.update(_draw_seconds(exp_path, timeout_s=180, wait_js=(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
        "() => r(true))))")))
    results["explore"] = theirs

    def fmt(v: float | None, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print(f"{'':34} | {'build s':>8} | {'HTML MB':>8} | {'load s':>7} | {'drawn s':>8} | "
          f"{'popup s':>8}")
    for label, r in (("grid clusters (new)", results["grid"]),
                     ("markercluster (previous)", results["markercluster"]),
                     ("GeoDataFrame.explore (unclustered)", theirs)):
        print(f"{label:34} | {r['build_s']:>8.2f} | {r['html_mb']:>8.1f} | "
              f"{fmt(r.get('load_s'), '>7.2f')} | {fmt(r.get('drawn_s'), '>8.2f')} | "
              f"{fmt(r.get('popup_s'), '>8.2f')}")
    print("seconds from navigation: load event; drawn: clusters on screen (explore: two frames "
          "after load); popup: a point's popup open after its click event (goal: <= 1.5 s)")
    return results


# --------------------------------------------------------------------------- 3. routing


def bench_routing(n: int = 100) -> dict[str, Any]:
    import math

    print(f"\n== 3. routing: a {n} x {n} origin-destination matrix (default draws)")
    import geo
    from geo import od_matrix

    places: list[Any] = list(geo.nodes()["id"])[:n]
    sites = geo.sites()
    places += [(float(p.x), float(p.y)) for p in sites.geometry[: n - len(places)]]
    od_matrix(places[:2], places[:2])  # warm-up: the network is built once and cached
    t0 = time.perf_counter()
    matrix = od_matrix(places, places)
    od_s = time.perf_counter() - t0
    pairs = len(places) ** 2
    sub = places[:10]
    t0 = time.perf_counter()
    routed = equal = 0
    rows = {(r.origin_id, r.destination_id): r for r in matrix.itertuples(index=False)}
    for a in sub:
        for b in sub:
            if a == b:
                continue
            try:
                r = geo.route(a, b)
            except geo.GeoError:
                continue
            routed += 1
            row = rows[(r.origin_id, r.destination_id)]
            equal += int(row.distance_km == r.distance_km
                         and row.transit_days == r.transit_days
                         and row.moving_h == r.moving_h and row.dwell_h == r.dwell_h)
    loop_s = time.perf_counter() - t0
    loop_pairs = len(sub) * (len(sub) - 1)
    per_pair_loop = loop_s / max(1, loop_pairs)
    connected = int(matrix["distance_km"].notna().sum())
    print(f"{'':30} | {'pairs':>6} | {'seconds':>8} | {'ms per pair':>11}")
    print(f"{'geo.od_matrix':30} | {pairs:>6} | {od_s:>8.2f} | {1000 * od_s / pairs:>11.3f}")
    print(f"{'geo.route pair by pair':30} | {loop_pairs:>6} | {loop_s:>8.2f} | "
          f"{1000 * per_pair_loop:>11.2f}")
    print(f"{'  (pair by pair, all pairs)':30} | {pairs:>6} | {per_pair_loop * pairs:>8.1f} | "
          "(extrapolated)")
    print(f"({len(places)} places: nodes + sites as (lon, lat); {connected} connected pairs; "
          f"{equal} of {routed} routed sample pairs have exactly route()'s figures; goal "
          "<= 2 s)")
    if equal != routed or math.isnan(od_s):
        print("   !! od_matrix differs from route() on the sample")
    return {"places": len(places), "pairs": pairs, "od_matrix_s": od_s,
            "route_loop_pairs": loop_pairs, "route_loop_s": loop_s,
            "route_loop_extrapolated_s": per_pair_loop * pairs,
            "connected_pairs": connected, "sample_equal": equal, "sample_routed": routed}


# --------------------------------------------------------------------------- 4. gallery


def bench_gallery(runs: int = 2) -> dict[str, Any]:
    import filecmp
    import tempfile

    print(f"\n== 4. geo maps: the gallery built {runs} times")
    script = Path(sys.executable).with_name("geo")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "geo"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        outs = [Path(tmp) / f"run{k}" for k in range(runs)]
        for out in outs:
            t0 = time.perf_counter()
            subprocess.run([*cli, "maps", "-o", str(out)], cwd=ROOT, capture_output=True,
                           check=True)
            times.append(time.perf_counter() - t0)
        names = sorted(p.name for p in outs[0].iterdir())
        identical = all(
            sorted(p.name for p in o.iterdir()) == names
            and all(filecmp.cmp(outs[0] / f, o / f, shallow=False) for f in names)
            for o in outs[1:])
    for k, t in enumerate(times, 1):
        print(f"run {k}: {t:.2f} s")
    print(f"{len(names)} files; byte-identical between runs: {identical} (goal: < 8 s, identical)")
    return {"seconds": times, "files": len(names), "identical": identical}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-point case")
    parser.add_argument("--only", choices=["startup", "near", "map", "routing", "gallery"])
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    results: dict[str, Any] = {"machine": machine()}
    if args.only in (None, "startup"):
        results["startup"] = bench_startup()
    if args.only in (None, "near"):
        sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
        results["near"] = bench_near(sizes)
    if args.only in (None, "map"):
        results["map"] = bench_map(100_000)
    if args.only in (None, "routing"):
        results["routing"] = bench_routing(100)
    if args.only in (None, "gallery"):
        results["gallery"] = bench_gallery()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "benchmarks.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nfigures written to {out}")
    return 0
