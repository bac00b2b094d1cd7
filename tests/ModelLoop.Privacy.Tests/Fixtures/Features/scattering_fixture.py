"""Reference scattering coefficients for ScatteringTransformTests, written independently of the C# code with NumPy.

Run with Debian's python3-numpy: /usr/bin/python3 scattering_fixture.py > scattering_fixture.json

Same definition as ModelLoop.Privacy.Features.ScatteringTransform (Kymatio's filter parameters, reflect padding by
2^J, circular convolutions by FFT at full resolution), but the low-pass is applied at full resolution and then
subsampled by slicing (the C# code folds the spectrum instead), and the filters are built with vectorised NumPy.
"""
import json
import numpy as np


def gabor(p, q, sigma, theta, xi, slant):
    c, s = np.cos(theta), np.sin(theta)
    rot = np.array([[c, -s], [s, c]])
    curv = rot @ np.diag([1.0, slant * slant]) @ rot.T / (2 * sigma * sigma)
    out = np.zeros((p, q), dtype=complex)
    for ex in range(-2, 3):
        for ey in range(-2, 3):
            x, y = np.meshgrid(np.arange(p) + ex * p, np.arange(q) + ey * q, indexing="ij")
            arg = -(curv[0, 0] * x * x + (curv[0, 1] + curv[1, 0]) * x * y + curv[1, 1] * y * y)
            out += np.exp(arg + 1j * xi * (x * c + y * s))
    return out / (2 * np.pi * sigma * sigma / slant)


def morlet(p, q, sigma, theta, xi, slant):
    wave = gabor(p, q, sigma, theta, xi, slant)
    envelope = gabor(p, q, sigma, theta, 0.0, slant)
    return wave - wave.sum() / envelope.sum() * envelope


def scattering(image, J, L):
    h, w = image.shape
    pad = 2 ** J
    x = np.pad(image, pad, mode="reflect")
    p, q = x.shape
    phi = np.fft.fft2(gabor(p, q, 0.8 * 2 ** (J - 1), 0.0, 0.0, 1.0)).real
    psi = [[np.fft.fft2(morlet(p, q, 0.8 * 2 ** j, (int(L - L / 2 - 1) - l) * np.pi / L,
                               3.0 / 4.0 * np.pi / 2 ** j, 4.0 / L)).real for l in range(L)] for j in range(J)]

    def lowpass(u):
        full = np.fft.ifft2(np.fft.fft2(u) * phi).real
        return full[pad:pad + h:2 ** J, pad:pad + w:2 ** J]

    out = [lowpass(x)]
    first = {}
    for j1 in range(J):
        for l1 in range(L):
            first[j1, l1] = np.abs(np.fft.ifft2(np.fft.fft2(x) * psi[j1][l1]))
            out.append(lowpass(first[j1, l1]))
    for j1 in range(J):
        for l1 in range(L):
            for j2 in range(j1 + 1, J):
                for l2 in range(L):
                    out.append(lowpass(np.abs(np.fft.ifft2(np.fft.fft2(first[j1, l1]) * psi[j2][l2]))))
    return np.stack(out)


def case(images, J, L):
    coefficients = np.stack([np.concatenate([scattering(ch, J, L) for ch in img]) for img in images])
    return {"J": J, "L": L, "input_shape": list(images.shape), "input": images.ravel().tolist(),
            "output_shape": list(coefficients.shape), "output": [float("%.9g" % v) for v in coefficients.ravel()]}


rng = np.random.default_rng(14)
# A 28×28 image with structure (an oriented bar) plus noise, like a Fashion-MNIST image; and a 2-channel 16×20 one.
square = rng.random((1, 1, 28, 28)) * 0.3
square[0, 0, 8:20, 12:16] += 1.0
square = np.round(square, 6)
rect = np.round(rng.random((1, 2, 16, 20)), 6)
print(json.dumps({"cases": [case(square, 2, 8), case(rect, 2, 4)]}))
