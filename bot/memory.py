"""Large buffers go back to the operating system when freed.

glibc serves big allocations with mmap, but after the first one is freed it raises its
threshold (up to 32 MiB) and serves later ones from its heaps, which keep freed memory:
after a burst of photo decodes (Pillow allocates pixel buffers in 16 MiB blocks) RSS
stayed at its peak. A fixed 1 MiB threshold keeps every such buffer on mmap.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt parameter, glibc's malloc.h
MMAP_THRESHOLD = 1024 * 1024


def return_large_buffers() -> bool:
    """Set glibc's mmap threshold; False (and nothing done) on another C library."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    if not done:
        log.warning("mallopt(M_MMAP_THRESHOLD) refused; freed image buffers may stay resident")
    return done
