"""Polynomial approximations and their fitting, in float64.

Mirrors io.polyhe.models.approx in Java: the same Chebyshev interpolation, Clenshaw evaluation,
scaled initial guess and Newton iteration counts, so both sides produce the same coefficients.

* Chebyshev series on [a, b]: f(x) ~ sum_k c_k T_k(t), t = (2x - a - b) / (b - a).
* Inverse 1/x on [lo, hi]: y0 = guess(x) (Chebyshev series), then y <- y (2 - x y).
* Inverse square root on [lo, hi]: y0 = guess(x), then y <- y (3 - x y^2) / 2.
The guess is the Chebyshev interpolant of the target, scaled by a constant so that the Newton
invariant (x y0 for 1/x, x y0^2 for 1/sqrt x) is centred on 1 over the range; this keeps Newton
inside its convergence region ((0, 2) resp. (0, 3)) on the whole range.
"""
import math

import numpy as np


def cheb_interpolate(f, a, b, degree):
    n = degree + 1
    j = np.arange(n)
    theta = math.pi * (j + 0.5) / n
    xs = 0.5 * (b - a) * np.cos(theta) + 0.5 * (a + b)
    fx = np.array([f(float(x)) for x in xs], dtype=np.float64)
    coeffs = []
    for k in range(n):
        c = 2.0 / n * float(np.sum(fx * np.cos(k * theta)))
        coeffs.append(c)
    coeffs[0] *= 0.5
    return coeffs


def cheb_eval(coeffs, a, b, x):
    """Clenshaw; x may be a float, numpy array or torch tensor (same arithmetic order as Java)."""
    t = (2.0 * x - (a + b)) / (b - a)
    b1 = 0.0 * x
    b2 = 0.0 * x
    for c in reversed(coeffs[1:]):
        b1, b2 = c + 2.0 * t * b1 - b2, b1
    return coeffs[0] + t * b1 - b2


def grid(lo, hi, n=4001):
    """Dense evaluation grid: linear and (for positive ranges) geometric points, both ends."""
    pts = list(np.linspace(lo, hi, n))
    if lo > 0:
        pts += list(np.geomspace(lo, hi, n))
    return np.array(sorted(set(pts)), dtype=np.float64)


def newton_inv(y, x, iters):
    for _ in range(iters):
        y = y * (2.0 - x * y)
    return y


def newton_inv_sqrt(y, x, iters):
    for _ in range(iters):
        y = y * (3.0 - x * y * y) * 0.5
    return y


def fit_newton(kind, lo, hi, guess_degree, tol, max_iters=60):
    """Fits the scaled guess and picks the fewest Newton iterations with max rel. error <= tol."""
    if not (0 < lo < hi):
        raise ValueError(f"{kind}: need 0 < lo < hi, got [{lo}, {hi}]")
    target = (lambda x: 1.0 / x) if kind == "inverse" else (lambda x: 1.0 / math.sqrt(x))
    step = newton_inv if kind == "inverse" else newton_inv_sqrt
    xs = grid(lo, hi)
    for deg in range(guess_degree, 0, -1):
        c = cheb_interpolate(target, lo, hi, deg)
        g = cheb_eval(c, lo, hi, xs)
        inv = xs * g if kind == "inverse" else xs * g * g
        if np.min(g) <= 0 or np.min(inv) <= 0:
            continue  # interpolant not positive on the range: try a lower degree
        s = 2.0 / (np.min(inv) + np.max(inv))
        scale = s if kind == "inverse" else math.sqrt(s)
        c = [ci * scale for ci in c]
        y0 = cheb_eval(c, lo, hi, xs)
        exact = np.array([target(float(x)) for x in xs])
        for it in range(max_iters + 1):
            err = float(np.max(np.abs(step(y0, xs, it) - exact) / exact))
            if err <= tol:
                return {"input_range": [lo, hi], "guess_degree": deg,
                        "guess_coefficients": c, "newton_iterations": it,
                        "max_rel_error": err, "target_rel_error": tol}
        raise ValueError(f"{kind}: no convergence to {tol} in {max_iters} iterations on [{lo}, {hi}]")
    raise ValueError(f"{kind}: no positive initial guess on [{lo}, {hi}]")


def gelu_tanh(x):
    return 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def fit_activation(a, b, tol, max_degree=127, f=gelu_tanh):
    """Smallest-degree Chebyshev interpolant of f (tanh-GELU by default) on [a, b] with max abs
    error <= tol."""
    xs = grid(a, b)
    exact = np.array([f(float(x)) for x in xs])
    for deg in range(2, max_degree + 1):
        c = cheb_interpolate(f, a, b, deg)
        err = float(np.max(np.abs(cheb_eval(c, a, b, xs) - exact)))
        if err <= tol:
            return {"input_range": [a, b], "degree": deg, "coefficients": c,
                    "max_abs_error": err, "target_abs_error": tol, "encrypted_depth": chebyshev_depth(deg)}
    raise ValueError(f"gelu: degree {max_degree} does not reach {tol} on [{a}, {b}]")


# --- fitting for encrypted depth -----------------------------------------------------------
# Depth model of the encrypted pass (one CKKS level per multiplication level):
#   Chebyshev series of degree d: ceil(log2(d + 1)) levels (d = 0 costs none);
#   one Newton step, 1/x: y <- y (2 - x y) = 2y - (x y) y; 1/sqrt: y <- y (3 - x y^2) / 2 =
#   1.5 y - 0.5 (x y)(y y): two levels each (the products of one level run in parallel).
NEWTON_STEP_DEPTH = 2


def chebyshev_depth(degree):
    return max(0, math.ceil(math.log2(degree + 1))) if degree > 0 else 0


def newton_depth(guess_degree, iterations):
    return chebyshev_depth(guess_degree) + NEWTON_STEP_DEPTH * iterations


def relative_minimax(kind, lo, hi, deg, xs, iterations=40):
    """Chebyshev coefficients on [lo, hi] of the degree-deg polynomial p of (nearly) least max
    relative error |p(x)/f(x) - 1| over the grid xs, f = 1/x or 1/sqrt(x): Lawson's iteratively
    reweighted least squares (the weights converge to the minimax solution's; 40 rounds bring the
    max error within a few per cent of its limit, and the best round is kept).

    For 1/x the Chebyshev interpolant already is this polynomial (README: 1 - x p(x) is a scaled
    T_{d+1}); for 1/sqrt it is not: the interpolant's absolute error is spread evenly, so its
    relative error peaks where 1/sqrt is smallest, and the minimax polynomial reaches the same
    relative error at a degree about 5 % lower on the ranges calibrated here (fortune: 9.2e-6 at
    degree 127 against the interpolant's 1.7e-5; degree 127 is the last of depth 7)."""
    f = 1.0 / xs if kind == "inverse" else 1.0 / np.sqrt(xs)
    t = (2.0 * xs - (lo + hi)) / (hi - lo)
    a = np.polynomial.chebyshev.chebvander(t, deg) / f[:, None]  # rows: T_k(t) / f(x)
    w = np.full(len(xs), 1.0 / len(xs))
    best_err, best = None, None
    for _ in range(iterations):
        sw = np.sqrt(w)
        c = np.linalg.lstsq(a * sw[:, None], sw, rcond=None)[0]
        r = np.abs(a @ c - 1.0)
        err = float(r.max())
        if best_err is None or err < best_err:
            best_err, best = err, c
        w = w * r
        w = w / w.sum()
    return [float(x) for x in best]


def _scaled_guess(kind, lo, hi, deg, xs, guess="interpolant"):
    """The Chebyshev interpolant of the target (or, guess="minimax", the relative-error minimax
    polynomial) scaled so Newton's invariant is centred on 1, or None when it is not positive on
    the grid."""
    target = (lambda x: 1.0 / x) if kind == "inverse" else (lambda x: 1.0 / math.sqrt(x))
    if guess == "minimax":
        c = relative_minimax(kind, lo, hi, deg, xs)
    elif guess == "interpolant":
        c = cheb_interpolate(target, lo, hi, deg)
    else:
        raise ValueError(f"guess must be interpolant or minimax, got {guess}")
    g = cheb_eval(c, lo, hi, xs)
    inv = xs * g if kind == "inverse" else xs * g * g
    if np.min(g) <= 0 or np.min(inv) <= 0:
        return None
    s = 2.0 / (np.min(inv) + np.max(inv))
    scale = s if kind == "inverse" else math.sqrt(s)
    return [ci * scale for ci in c]


def _iterations_needed(kind, c, lo, hi, xs, exact, tol, max_iters):
    """Fewest Newton iterations from guess c reaching max rel. error tol, with that error;
    (None, None) if max_iters do not suffice."""
    step = newton_inv if kind == "inverse" else newton_inv_sqrt
    y = cheb_eval(c, lo, hi, xs)
    for it in range(max_iters + 1):
        err = float(np.max(np.abs(y - exact) / exact))
        if err <= tol:
            return it, err
        y = step(y, xs, 1)
    return None, None


def fit_newton_min_depth(kind, lo, hi, tol, max_guess_degree=255, max_iters=60, guess="interpolant"):
    """The guess degree and Newton count of least encrypted depth reaching max rel. error tol.

    Candidates: guess degrees 2^k - 1 (the largest degree of each depth), k = 1 .. while
    <= max_guess_degree; each with the fewest iterations that reach tol. The least total depth
    wins (ties: the lower degree). Then the degree is lowered to the smallest one of the same
    Chebyshev depth that still reaches tol with the same iteration count (fewer
    multiplications, same depth). Guesses are fitted as in fit_newton (scaled interpolant), or with
    guess="minimax" as the relative-error minimax polynomial (relative_minimax; the lowest degree
    is then found by bisection, its error being monotone in the degree, since each fit takes
    seconds)."""
    if not (0 < lo < hi):
        raise ValueError(f"{kind}: need 0 < lo < hi, got [{lo}, {hi}]")
    target = (lambda x: 1.0 / x) if kind == "inverse" else (lambda x: 1.0 / math.sqrt(x))
    xs = grid(lo, hi)
    if guess == "minimax":
        # The minimax polynomial's error peaks between the points it was fitted on: near the ends
        # of the range its oscillations (width ~(hi - lo)/deg^2) are narrower than grid's linear
        # spacing, so add points with the Chebyshev extrema's density, 32 per oscillation at degree 255.
        xs = np.union1d(xs, 0.5 * (hi - lo) * np.cos(np.pi * np.arange(8193) / 8192) + 0.5 * (hi + lo))
    exact = np.array([target(float(x)) for x in xs])
    best = None  # (depth, degree, iterations)
    k = 1
    # Later candidates cost at least their Chebyshev depth k: stop once that is no better.
    while (1 << k) - 1 <= max_guess_degree and (best is None or k < best[0]):
        deg = (1 << k) - 1
        c = _scaled_guess(kind, lo, hi, deg, xs, guess)
        if c is not None:
            it, _ = _iterations_needed(kind, c, lo, hi, xs, exact, tol, max_iters)
            if it is not None:
                depth = newton_depth(deg, it)
                if best is None or depth < best[0]:
                    best = (depth, deg, it)
        k += 1
    if best is None:
        raise ValueError(f"{kind}: no guess of degree <= {max_guess_degree} converges to {tol} on [{lo}, {hi}]")
    depth, deg, it = best
    lowest = (deg + 1) // 2  # smallest degree with the same Chebyshev depth

    def result(d):
        c = _scaled_guess(kind, lo, hi, d, xs, guess)
        if c is None:
            return None
        need, err = _iterations_needed(kind, c, lo, hi, xs, exact, tol, it)
        if need is None:
            return None
        return {"input_range": [lo, hi], "guess_degree": d, "guess_coefficients": c,
                "newton_iterations": need, "max_rel_error": err, "target_rel_error": tol,
                "encrypted_depth": newton_depth(d, need)}

    if guess == "minimax":
        found, a, b = None, max(1, lowest), deg  # invariant: degree b meets tol
        while a <= b:
            mid = (a + b) // 2
            r = result(mid)
            if r is not None:
                found, b = r, mid - 1
            else:
                a = mid + 1
        if found is not None:
            return found
    for d in range(max(1, lowest), deg + 1):
        r = result(d)
        if r is not None:
            return r
    raise AssertionError("unreachable: the candidate itself meets the tolerance")
