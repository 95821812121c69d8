"""Order-to-chaos numbers for tanh, computed independently of vgrad (numpy + scipy).

Usage: phase_reference.py SIGMA_B2 SIGMA_W2...  Prints one JSON line: the numbers at each σw² and
the critical σw² (χ₁ = 1) at SIGMA_B2. Expectations are 200-node probabilists' Gauss–Hermite
(tanh is smooth at these q), q* by plain iteration, c* by scipy's brentq.
"""
import json
import sys

import numpy as np
from scipy import optimize

Z, W = np.polynomial.hermite_e.hermegauss(200)
W = W / np.sqrt(2 * np.pi)
Z1, Z2 = np.meshgrid(Z, Z)
W2 = np.outer(W, W)


def dphi(u):
    return 1 / np.cosh(u) ** 2


def q_star(sw, sb):
    q = 1.0
    for _ in range(3000):
        q = sw * np.sum(W * np.tanh(np.sqrt(q) * Z) ** 2) + sb
    return q


def pair(f, q, c):
    u1 = np.sqrt(q) * Z1
    u2 = np.sqrt(q) * (c * Z1 + np.sqrt(1 - c * c) * Z2)
    return np.sum(W2 * f(u1) * f(u2))


def numbers(sw, sb):
    q = q_star(sw, sb)
    chi1 = sw * np.sum(W * dphi(np.sqrt(q) * Z) ** 2)
    if chi1 < 1:
        c, chic = 1.0, chi1
    else:
        c = optimize.brentq(lambda c: (sw * pair(np.tanh, q, c) + sb) / q - c, 0, 1 - 1e-9, xtol=1e-14)
        chic = sw * pair(dphi, q, c)
    u = np.sqrt(q) * Z
    slope = sw * np.sum(W * u * np.tanh(u) * dphi(u)) / q
    return {"sigmaW2": sw, "qStar": q, "chi1": chi1, "cStar": c, "chiC": chic, "xiQ": -1 / np.log(slope), "xiC": -1 / np.log(chic)}


def main():
    sb = float(sys.argv[1])
    rows = [numbers(float(sw), sb) for sw in sys.argv[2:]]
    critical = optimize.brentq(lambda sw: sw * np.sum(W * dphi(np.sqrt(q_star(sw, sb)) * Z) ** 2) - 1, 1.0, 3.0, xtol=1e-10)
    print(json.dumps({"rows": rows, "critical": critical}))


if __name__ == "__main__":
    main()
