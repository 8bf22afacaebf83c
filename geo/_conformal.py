"""The conformal sphere of WGS84: unit vectors, scale and distance estimates for
:mod:`geo._nearest` and :mod:`geo._nearcells`.

On the conformal sphere (latitude replaced by the conformal latitude, radius ``a``) angles
equal those on the ellipsoid, and a length on the ellipsoid is the sphere length times the
scale ``k`` of the latitude, ``K_LO <= k <= K_HI`` (``k = 1`` at the equator, 0.99665 at
the poles).  Two consequences used by the searches:

* any ellipsoidal geodesic distance ``d`` between two points an angle ``theta`` apart on
  the conformal sphere obeys ``A * K_LO * theta <= d <= A * K_HI * theta``
  (``A = a`` in km): the geodesic's image is no shorter than the great circle, and the
  great circle's image is a path on the ellipsoid no shorter than the geodesic;
* the *trapezoid estimate* ``A * theta * (k(p) + k(q)) / 2`` lies between the same two
  bounds by construction, and within :func:`trap_rel` (relative) of ``d``.
"""

from __future__ import annotations

import numpy as np

from geo.measure import GEOD

__all__ = ["A_KM", "K_HI", "K_LO", "angle", "est_km", "est_rel", "inv_scale", "keep_limit_km", "lonlat",
           "trap_km", "trap_rel", "unit"]

#: Equatorial radius of WGS84 in km (the radius of the conformal sphere).
A_KM = GEOD.a / 1000.0
#: First eccentricity of WGS84 (from the pyproj ellipsoid, not a literal).
_ECC = float(np.sqrt(GEOD.es))


def _conformal(lat_rad: np.ndarray) -> np.ndarray:
    """Conformal latitude: the sphere on which angles equal those on the ellipsoid."""
    es = _ECC * np.sin(lat_rad)
    return 2.0 * np.arctan(np.tan(np.pi / 4 + lat_rad / 2)
                           * ((1 - es) / (1 + es)) ** (_ECC / 2)) - np.pi / 2


def _geodetic(chi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_conformal` by fixed-point iteration (converges in a few steps)."""
    lat = chi.copy()
    for _ in range(6):
        es = _ECC * np.sin(lat)
        lat = 2.0 * np.arctan(np.tan(np.pi / 4 + chi / 2)
                              * ((1 + es) / (1 - es)) ** (_ECC / 2)) - np.pi / 2
    return lat


def _scale_table() -> tuple[np.ndarray, np.ndarray]:
    """Ellipsoid length per unit of conformal-sphere (radius a) length, by conformal lat."""
    phi = np.linspace(-np.pi / 2, np.pi / 2, 4001)[1:-1]
    chi = _conformal(phi)
    nu = GEOD.a / np.sqrt(1.0 - GEOD.es * np.sin(phi) ** 2)
    return chi, nu * np.cos(phi) / (GEOD.a * np.cos(chi))


_CHI, _INV_SCALE = _scale_table()
#: Range of the scale over all latitudes (the table's own extremes: interpolation stays in it).
K_LO = float(_INV_SCALE.min())
K_HI = float(_INV_SCALE.max())


def inv_scale(z: np.ndarray) -> np.ndarray:
    """Scale ``k`` at the conformal latitude of unit vectors with third coordinate ``z``."""
    return np.interp(np.arcsin(np.clip(z, -1.0, 1.0)), _CHI, _INV_SCALE)


def unit(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Unit vectors on the conformal sphere, shape (n, 3)."""
    lon = np.radians(lon_deg)
    lat = _conformal(np.radians(lat_deg))
    cl = np.cos(lat)
    return np.column_stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)])


def lonlat(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`unit`: (lon, lat) in degrees."""
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return (np.degrees(np.arctan2(y, x)),
            np.degrees(_geodetic(np.arctan2(z, np.hypot(x, y)))))


def angle(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Angle (radians) between rows of unit vectors, from the chord (accurate near 0)."""
    chord = np.sqrt(((p - q) ** 2).sum(axis=1))
    return 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0))


def est_km(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Ellipsoidal distance estimate (km) between conformal unit vectors ``p`` and ``q``:
    the sphere arc times the scale integrated by Simpson's rule (within :func:`est_rel`
    of ``Geod.inv``; measured in the tests)."""
    mid = p + q
    mnorm = np.sqrt((mid ** 2).sum(axis=1))
    mz = np.divide(mid[:, 2], mnorm, out=p[:, 2].copy(), where=mnorm > 1e-12)
    weight = (inv_scale(p[:, 2]) + 4.0 * inv_scale(mz) + inv_scale(q[:, 2])) / 6.0
    return A_KM * angle(p, q) * weight


#: Distance bands (km) and the relative error allowed to :func:`est_km` in each: twice the
#: largest error measured against ``Geod.inv`` on 400,000 random pairs (8.8e-9 below
#: 1,000 km, 4.5e-7 below 3,000, 7.0e-6 below 6,000, 5.0e-5 below 10,000, 5.5e-4 beyond).
_EST_BANDS_KM = np.array([1000.0, 3000.0, 6000.0, 10000.0])
_EST_REL = np.array([2e-8, 1e-6, 1.5e-5, 1e-4, 1.2e-3])


def _banded(bands_km: np.ndarray, rel: np.ndarray, km: np.ndarray) -> np.ndarray:
    """The allowance of the band (upper ends ``bands_km``, the last open) holding ``km``."""
    return rel[np.searchsorted(bands_km, km, side="left")]


def est_rel(km: np.ndarray) -> np.ndarray:
    """Relative error allowed to :func:`est_km` for estimates up to ``km`` (taken 1 %
    beyond, to cover the estimate's own error at a band's edge)."""
    return _banded(_EST_BANDS_KM, _EST_REL, km * 1.01)


def trap_km(theta: np.ndarray, k_p: np.ndarray, k_q: np.ndarray) -> np.ndarray:
    """Trapezoid estimate (km) of the geodesic between points ``theta`` apart with scales
    ``k_p`` and ``k_q``; between ``A_KM*K_LO*theta`` and ``A_KM*K_HI*theta`` by construction."""
    return A_KM * theta * (k_p + k_q) * 0.5


#: Upper ends (km) of the distance bands of :func:`trap_rel` and the relative error allowed
#: in each: twice the largest error measured against ``Geod.inv`` on 400,000 random pairs
#: (1.4e-5 below 1,000 km, 1.2e-4 below 3,000, 4.5e-4 below 6,000, 1.8e-3 beyond).
_TRAP_BANDS_KM = np.array([1000.0, 3000.0, 6000.0])
_TRAP_REL = np.array([3e-5, 3e-4, 1e-3, 4e-3])


def trap_rel(km: np.ndarray) -> np.ndarray:
    """Relative error allowed to :func:`trap_km` for distances up to ``km`` (a step
    function, non-decreasing)."""
    return _banded(_TRAP_BANDS_KM, _TRAP_REL, km)


def keep_limit_km(best_km: np.ndarray, half_km: np.ndarray | float) -> np.ndarray:
    """Largest trapezoid estimate a vertex may have and still neighbour the nearest point,
    given the smallest estimate ``best_km`` over the vertices and half the vertex spacing.

    The segment holding the nearest point (at distance ``D <= best``) has a vertex within
    ``half_km`` of it along the line, hence within ``sqrt(D**2 + half_km**2)``; written with
    ``low = best - half_km`` (a looser, never smaller, bound), plus the estimate's allowed
    error on both vertices.  Non-decreasing in ``best_km`` (the cell bounds rely on it).
    """
    low = np.maximum(best_km - half_km, 0.0)
    reach = best_km + np.sqrt(low ** 2 + np.square(half_km)) - low
    # The error band is taken at a distance the ring cannot exceed (best + half + margin).
    rel = trap_rel(reach * 1.01 + 1.0)
    return reach * (1.0 + rel) / (1.0 - rel) + 1e-9
