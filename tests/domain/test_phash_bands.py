"""The bands of a pHash and the pigeonhole radius the lookup probes them with."""

from __future__ import annotations

import random

import pytest

from domain.fraud_signals import band_neighbours, band_radius, hamming, phash_bands


def test_a_hash_is_four_bands_of_16_bits_most_significant_first() -> None:
    assert phash_bands("f0e1d2c3b4a59687") == (0xF0E1, 0xD2C3, 0xB4A5, 0x9687)
    with pytest.raises(ValueError):
        phash_bands("f0e1")


def test_the_radius_follows_the_distance_and_large_distances_scan() -> None:
    assert [band_radius(d) for d in (0, 3, 4, 6, 7, 8, 11)] == [0, 0, 1, 1, 1, 2, 2]
    assert band_radius(12) is None and band_radius(31) is None


def test_neighbours_are_every_value_within_the_radius_once() -> None:
    assert band_neighbours(0xABCD, 0) == [0xABCD]
    for radius, count in ((1, 17), (2, 137)):
        found = band_neighbours(0xABCD, radius)
        assert found[0] == 0xABCD and len(set(found)) == len(found) == count
        assert all((value ^ 0xABCD).bit_count() <= radius for value in found)


def test_hashes_within_the_distance_share_a_probed_band_value() -> None:
    rng = random.Random(7)
    for _ in range(500):
        distance = rng.randrange(0, 12)
        first = rng.getrandbits(64)
        second = first
        for bit in rng.sample(range(64), rng.randrange(0, distance + 1)):
            second ^= 1 << bit
        a, b = f"{first:016x}", f"{second:016x}"
        assert hamming(a, b) <= distance
        radius = band_radius(distance)
        assert radius is not None
        assert any(
            other in band_neighbours(mine, radius)
            for mine, other in zip(phash_bands(a), phash_bands(b), strict=True)
        )
