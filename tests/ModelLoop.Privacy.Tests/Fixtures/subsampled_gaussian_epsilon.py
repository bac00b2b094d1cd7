#!/usr/bin/python3
"""Reference epsilons for the RDP accountant of the Poisson-subsampled Gaussian mechanism.

Independent of the accountant's series: the Renyi divergence is integrated numerically with SciPy
(Debian python3-scipy). For mu0 = N(0, s^2), mu1 = N(1, s^2) and the mixture mu = (1 - q) mu0 + q mu1,
Mironov, Talwar & Zhang (2019) give RDP(alpha) = log(A_alpha) / (alpha - 1) with
    A_alpha = E_{z ~ mu0}[(mu(z) / mu0(z))^alpha] = E_{z ~ mu0}[(1 - q + q exp((2z - 1) / (2 s^2)))^alpha].
The integral is taken in log space (the integrand peaks near z = 0 and near z = alpha and reaches exp(thousands)).
RDP composes additively over steps; (epsilon, delta) comes from the conversion of Balle et al. (2020), Theorem 21
(the one Opacus uses): eps = min_alpha [steps * RDP(alpha) + log((alpha - 1) / alpha) - (log delta + log alpha) / (alpha - 1)].

Run: /usr/bin/python3 subsampled_gaussian_epsilon.py > subsampled_gaussian_epsilon.csv
     /usr/bin/python3 subsampled_gaussian_epsilon.py --rdp > subsampled_gaussian_rdp.csv  (one step's RDP per order)
"""
import math
import sys

import numpy as np
from scipy import integrate

# Opacus's default order grid: 1.1, 1.2, ..., 10.9 and 12, 13, ..., 63.
ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))


def log_integrand(z, q, sigma, alpha):
    # log[(1 - q + q exp((2z - 1) / (2 s^2)))^alpha * N(z; 0, s^2)], computed without overflow.
    t = (2 * z - 1) / (2 * sigma ** 2)
    if q == 1.0:
        log_ratio = t
    else:
        log_ratio = np.logaddexp(math.log1p(-q), math.log(q) + t)
    return alpha * log_ratio - z * z / (2 * sigma ** 2) - math.log(sigma * math.sqrt(2 * math.pi))


def log_a(q, sigma, alpha):
    lo, hi = -40 * sigma - 2, alpha + 40 * sigma + 2
    grid = np.linspace(lo, hi, 20001)
    values = log_integrand(grid, q, sigma, alpha)
    peak = float(np.max(values))
    z_peak = float(grid[int(np.argmax(values))])
    points = sorted({0.0, 0.5, float(alpha), z_peak})
    total, _ = integrate.quad(lambda z: math.exp(log_integrand(z, q, sigma, alpha) - peak), lo, hi,
                              points=points, limit=2000, epsabs=0.0, epsrel=1e-13)
    return peak + math.log(total)


def rdp(q, sigma, alpha):
    return log_a(q, sigma, alpha) / (alpha - 1)


def epsilon(rdps, steps, delta):
    best = math.inf
    for alpha, r in zip(ORDERS, rdps):
        eps = steps * r + math.log((alpha - 1) / alpha) - (math.log(delta) + math.log(alpha)) / (alpha - 1)
        best = min(best, eps)
    return max(best, 0.0)


def main():
    pairs = [(q, s) for q in (0.001, 0.004, 0.02, 0.1, 0.5, 1.0) for s in (0.7, 1.0, 2.0, 4.0)]
    print("sample_rate,noise_multiplier,steps,delta,epsilon")
    for q, sigma in pairs:
        rdps = [rdp(q, sigma, a) for a in ORDERS]
        for steps in (1, 100, 3000):
            for delta in (1e-5, 1e-3):
                print(f"{q},{sigma},{steps},{delta},{epsilon(rdps, steps, delta):.10g}")
        sys.stdout.flush()


def main_rdp():
    print("sample_rate,noise_multiplier,order,rdp")
    for q, sigma in ((0.01, 0.8), (0.05, 1.5), (0.3, 3.0)):
        for alpha in (1.1, 1.5, 2.0, 2.7, 3.0, 5.5, 8.0, 12.0, 31.0, 63.0):
            print(f"{q},{sigma},{alpha},{rdp(q, sigma, alpha):.12g}")


if __name__ == "__main__":
    main_rdp() if "--rdp" in sys.argv else main()
