"""Benchmarks of issue 5, each printed side by side with its baseline measured in the same run.

    .venv/bin/python -m tests.benchmarks            # everything (about 10 minutes)
    .venv/bin/python -m tests.benchmarks --quick    # 10^4 and 10^5 points only
    .venv/bin/python -m tests.benchmarks --only map

1. ``geo.near`` vs geopandas ``sjoin_nearest`` in a projected CRS (Asia North Equidistant
   Conic, ESRI:102026; Web Mercator EPSG:3857 for the error only) at 10^4, 10^5, 10^6 random
   points over the corridor region: wall time, peak RSS growth (each case in a fresh
   subprocess), and the distance error against an exact geodesic reference on a sample.
2. A 10^5-site map: build time, HTML size, draw time in headless Chromium (offline), vs
   ``GeoDataFrame.explore`` on the same points.
3. Routing: a 100 x 100 origin-destination matrix with ``geo.od_matrix`` (the 79 network
   nodes plus project sites given as (lon, lat)), vs ``geo.route`` pair by pair.

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
BBOX = (25.0, 20.0, 125.0, 58.0)  # lon/lat box of the random points (corridor region)
SEED = 20260101
PROJECTED = "ESRI:102026"  # Asia North Equidistant Conic


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Python "
            f"{platform.python_version()}, {platform.system()} {platform.machine()}")


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
    """Run one timing in this (fresh) process; return time, RSS growth, distances sample."""
    import resource

    import geopandas as gpd
    import numpy as np

    import geo
    from geo.proximity import near, prepare

    pts = random_points(n)
    corridors = geo.corridors()
    if method == "near":
        index = prepare(with_country=False)
        near(pts.iloc[:100], index=index)  # warm-up (imports, lazy STRtree)
    else:
        lines = corridors[["id", "geometry"]].to_crs(method)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if method == "near":
        out = near(pts, index=index)
        dist_km = out["distance_km"].to_numpy()
    else:
        joined = gpd.sjoin_nearest(pts.to_crs(method), lines, distance_col="d_m")
        joined = joined[~joined.index.duplicated(keep="first")]  # ties: overlapping corridors
        dist_km = joined["d_m"].to_numpy() / 1000.0
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rss_growth_mib": max(0, rss1 - rss0) / 1024,
            "sample_km": dist_km[:SAMPLE].tolist(), "rows": len(dist_km),
            "np": np.__version__}


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

    print(f"\n== 1. geo.near vs sjoin_nearest ({PROJECTED}), random points in lon/lat box "
          f"{BBOX}")
    exact = np.array(exact_distances_km(SAMPLE))
    results: dict[str, Any] = {"sizes": sizes, "cases": []}
    header = (f"{'points':>9} | {'geo.near s':>10} {'MiB':>6} | {'sjoin s':>8} {'MiB':>6} | "
              f"{'near/sjoin':>10} | {'near max err':>12} | {'sjoin max err':>13} | "
              f"{'3857 max err':>12}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        a = _run_child("near", n)
        b = _run_child(PROJECTED, n)
        c = _run_child("EPSG:3857", n) if n == sizes[0] else None
        err = {}
        for key, res in (("near", a), ("sjoin", b), ("mercator", c)):
            if res is None:
                continue
            rel = np.abs(np.array(res["sample_km"]) - exact) / exact
            err[key] = {"max": float(rel.max()), "median": float(np.median(rel))}
        case = {"points": n, "near": a, "sjoin": b, "mercator": c, "error": err}
        for res in (a, b, c):
            if res is not None:
                res.pop("sample_km")
        results["cases"].append(case)
        merc = f"{err['mercator']['max']:.1%}" if "mercator" in err else "-"
        print(f"{n:>9,} | {a['seconds']:>10.2f} {a['rss_growth_mib']:>6.0f} | "
              f"{b['seconds']:>8.2f} {b['rss_growth_mib']:>6.0f} | "
              f"{a['seconds'] / b['seconds']:>10.2f} | {err['near']['max']:>12.2e} | "
              f"{err['sjoin']['max']:>13.2%} | {merc:>12}")
    print(f"errors: relative to the exact geodesic distance on the first {SAMPLE} points; "
          "MiB: peak RSS growth during the call")
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


def _draw_seconds(path: Path, *, wait_js: str, timeout_s: float) -> dict[str, Any]:
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
        try:
            page.wait_for_function(wait_js, timeout=timeout_s * 1000)
            drawn_s: float | None = time.perf_counter() - t0
        except Exception:  # a timeout is a result here
            drawn_s = None
        browser.close()
    return {"load_s": load_s, "drawn_s": drawn_s}


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
    from geo.maps._pointlayer import big_points_map

    print(f"\n== 2. a map of {n:,} sites: geo big point layer vs GeoDataFrame.explore")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sites = _sites(n)
    t0 = time.perf_counter()
    html = big_points_map(sites, name="Sites", color_by="sector").get_root().render()
    ours_build = time.perf_counter() - t0
    ours_path = ARTIFACTS / "bench_bigpoints.html"
    ours_path.write_text(html, encoding="utf-8")
    ours = {"build_s": ours_build, "html_mb": len(html.encode()) / 1e6}
    ours.update(_draw_seconds(ours_path, timeout_s=120, wait_js=(
        "() => window.geoBigPoints && window.geoBigPoints['Sites'].drawnMs !== null")))
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

    def fmt(v: float | None, spec: str) -> str:
        return "timeout" if v is None else format(v, spec)

    print(f"{'':24} | {'build s':>8} | {'HTML MB':>8} | {'load s':>7} | {'drawn s':>8}")
    for label, r in (("geo big point layer", ours), ("GeoDataFrame.explore", theirs)):
        print(f"{label:24} | {r['build_s']:>8.2f} | {r['html_mb']:>8.1f} | "
              f"{fmt(r.get('load_s'), '>7.2f')} | {fmt(r.get('drawn_s'), '>8.2f')}")
    print("load: Chromium load event; drawn: clusters complete (ours) / two frames after "
          "load (explore; its markers are created during load)")
    return {"points": n, "geo": ours, "explore": theirs}


# --------------------------------------------------------------------------- 3. routing


def bench_routing(n: int = 100) -> dict[str, Any]:
    print(f"\n== 3. routing: a {n} x {n} origin-destination matrix")
    try:
        import geo
        from geo import od_matrix
    except ImportError as exc:
        print(f"skipped: geo.od_matrix is not available ({exc})")
        return {"skipped": str(exc)}
    places: list[Any] = list(geo.nodes()["id"])[:n]
    sites = geo.sites()
    places += [(float(p.x), float(p.y)) for p in sites.geometry[: n - len(places)]]
    t0 = time.perf_counter()
    matrix = od_matrix(places, places)
    od_s = time.perf_counter() - t0
    pairs = len(places) ** 2
    sub = places[:10]
    t0 = time.perf_counter()
    routed = 0
    for a in sub:
        for b in sub:
            if a == b:
                continue
            try:
                geo.route(a, b)
                routed += 1
            except geo.GeoError:
                pass
    loop_s = time.perf_counter() - t0
    per_pair_loop = loop_s / max(1, len(sub) * (len(sub) - 1))
    connected = int(matrix["distance_km"].notna().sum())
    print(f"{'':28} | {'pairs':>6} | {'seconds':>8} | {'ms per pair':>11}")
    print(f"{'geo.od_matrix':28} | {pairs:>6} | {od_s:>8.2f} | {1000 * od_s / pairs:>11.2f}")
    print(f"{'geo.route pair by pair':28} | {len(sub) * (len(sub) - 1):>6} | {loop_s:>8.2f} | "
          f"{1000 * per_pair_loop:>11.2f}")
    print(f"({len(places)} places: {min(n, len(geo.nodes()))} nodes + sites as (lon, lat); "
          f"{connected} connected pairs)")
    return {"places": len(places), "pairs": pairs, "od_matrix_s": od_s,
            "route_loop_pairs": len(sub) * (len(sub) - 1), "route_loop_s": loop_s,
            "connected_pairs": connected}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-point case")
    parser.add_argument("--only", choices=["near", "map", "routing"])
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    results: dict[str, Any] = {"machine": machine()}
    if args.only in (None, "near"):
        sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
        results["near"] = bench_near(sizes)
    if args.only in (None, "map"):
        results["map"] = bench_map(100_000)
    if args.only in (None, "routing"):
        results["routing"] = bench_routing(100)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "benchmarks.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nfigures written to {out}")
    return 0
