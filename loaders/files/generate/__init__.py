"""Generate the four Atelier CSVs at any scale: realistic, skewed, the same for the same seed.

Products are cut into blocks; worker processes write each block's rows into part files, which are
then joined behind the headers. ``csv_dataset_generate`` is what ``manage.py generate_csv`` and
the demo data call.
"""

import multiprocessing
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loaders.files.generate.block import BlockOutput, block_plan, block_write
from loaders.files.generate.text import Pools, pools_build
from loaders.files.tables import LOAD_ORDER

BLOCK_PRODUCTS = 10_000
INJECTED_FILE = "injected.csv"  # the bad rows a dirty dataset holds: file, line, kind

_pools: Pools | None = None  # built before the workers fork, shared by them


@dataclass(frozen=True)
class Generated:
    rows: dict[str, int]  # good rows per table
    injected: int  # bad rows added


def csv_dataset_generate(
    out: Path,
    *,
    products: int,
    seed: int,
    bad_rate: float = 0.0,
    workers: int | None = None,
    on_block: Callable[[], object] | None = None,
) -> Generated:
    """Write reviews.csv, reviews_photos.csv, characteristics.csv, characteristic_reviews.csv
    (and ``injected.csv`` when ``bad_rate``) into ``out``."""
    global _pools
    out.mkdir(parents=True, exist_ok=True)
    parts_dir = out / ".parts"
    shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir()
    _pools = pools_build(seed)
    blocks = [
        (seed, first, min(BLOCK_PRODUCTS, products - first + 1))
        for first in range(1, products + 1, BLOCK_PRODUCTS)
    ]
    workers = workers or os.cpu_count() or 1
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        counts = pool.starmap(_block_counts, blocks)
        offsets: list[tuple[int, ...]] = []
        running: tuple[int, ...] = (0, 0, 0, 0)  # rows before the block, per table
        for block_counts in counts:
            offsets.append(running)
            running = tuple(a + b for a, b in zip(running, block_counts, strict=True))
        jobs = [
            (*block, offset, bad_rate, parts_dir)
            for block, offset in zip(blocks, offsets, strict=True)
        ]
        outputs = []
        for output in pool.imap(_block_write, jobs):
            outputs.append(output)
            if on_block is not None:
                on_block()
    injected = _files_join(out, outputs, write_injected=bad_rate > 0)
    shutil.rmtree(parts_dir)
    rows = dict(zip((t.name for t in LOAD_ORDER), running, strict=True))
    return Generated(rows=rows, injected=injected)


def blocks_count(products: int) -> int:
    return -(-products // BLOCK_PRODUCTS)


def _block_counts(seed: int, first: int, products: int) -> tuple[int, int, int, int]:
    return block_plan(seed, first, products).counts


def _block_write(job) -> BlockOutput:
    seed, first, products, offsets, bad_rate, parts_dir = job
    assert _pools is not None
    plan = block_plan(seed, first, products)
    return block_write(
        plan, offsets, seed=seed, pools=_pools, bad_rate=bad_rate, directory=parts_dir
    )


def _files_join(out: Path, outputs: list[BlockOutput], *, write_injected: bool) -> int:
    """Join each table's parts behind its header; return the number of injected bad lines."""
    injected: list[tuple[str, int, str]] = []  # (file, line, kind)
    for table in LOAD_ORDER:
        line = 1  # the header
        with (out / table.file_name).open("wb") as target:
            target.write(table.header + b"\n")
            for output in outputs:
                injected.extend(
                    (table.file_name, line + local, kind)
                    for name, local, kind in output.injected
                    if name == table.name
                )
                with output.parts[table.name].open("rb") as part:
                    shutil.copyfileobj(part, target, 1 << 20)
                line += output.lines[table.name]
    if write_injected:
        with (out / INJECTED_FILE).open("w", encoding="utf-8") as stream:
            stream.write("file,line,kind\n")
            stream.writelines(f"{file},{line},{kind}\n" for file, line, kind in injected)
    return len(injected)
