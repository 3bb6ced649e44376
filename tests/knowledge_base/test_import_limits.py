"""A national file is read as a stream, within limits (issue 17: an 11 KiB .gz took 3.8 GiB).

The streams here never end: an import that read the whole file before counting would never finish,
so each stream also fails the test once it has been read far past the limit.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from knowledge_base.importer import ImportLimits, ImportTooLarge, parse_raw_file, read_national
from tests.plugin_app import PROJECT_ROOT

RECORD = '{"ma_thu_tuc": "1.000001", "ten_thu_tuc": "Thủ tục thử"}\n'.encode()


class _Endless(io.RawIOBase):
    """An endless stream of `unit` (gzip-compressed on the fly when `compress`), that fails the test
    once more than `fail_after` bytes of it (uncompressed) were produced.

    (A reader asks for compressed data in blocks of 8 KiB, which repeated text turns into megabytes,
    so `fail_after` counts what the source produced, not what the import decompressed.)
    """

    def __init__(self, unit: bytes, *, compress: bool, fail_after: int) -> None:
        self.unit = unit
        self.fail_after = fail_after
        self.produced = 0
        self.packer = zlib.compressobj(9, zlib.DEFLATED, 31) if compress else None
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while len(self.pending) < len(buffer):
            if self.produced > self.fail_after:
                raise AssertionError(f"{self.produced} bytes read: the file was not streamed within limits")
            plain = self.unit * max(1, 65536 // len(self.unit))
            self.produced += len(plain)
            if self.packer is not None:
                plain = self.packer.compress(plain) + self.packer.flush(zlib.Z_SYNC_FLUSH)
            self.pending += plain
        size = len(buffer)
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


@pytest.mark.parametrize("compress", [True, False])
def test_an_endless_file_of_records_stops_at_the_record_limit(compress: bool) -> None:
    stream = io.BufferedReader(_Endless(RECORD, compress=compress, fail_after=64 << 20))
    read = 0
    limits = ImportLimits(max_records=1000)
    with pytest.raises(ImportTooLarge) as refused:
        for _number, _record in read_national(stream, "vo-tan.jsonl", gz=compress, limits=limits):
            read += 1
    assert read == 1000 and refused.value.limit == "records" and refused.value.value == 1000


@pytest.mark.parametrize("compress", [True, False])
def test_an_endless_line_stops_at_the_size_limit(compress: bool) -> None:
    stream = io.BufferedReader(_Endless(b"a", compress=compress, fail_after=64 << 20))
    with pytest.raises(ImportTooLarge) as refused:
        list(read_national(stream, "mot-dong.jsonl", gz=compress, limits=ImportLimits(max_bytes=1 << 20)))
    assert refused.value.limit == "bytes" and "more than 1048576 bytes uncompressed" in str(refused.value)


def test_the_default_limits_take_the_real_national_file(tmp_path: Path) -> None:
    """The shipped seed (2,642 procedures, 23 MB uncompressed) is within the defaults, with room."""
    limits = ImportLimits.from_env()
    seed = PROJECT_ROOT / "knowledge_base" / "seed" / "procedures.jsonl.gz"
    with gzip.open(seed, "rb") as handle:
        size = sum(len(line) for line in handle)
    assert limits.max_bytes is not None and limits.max_records is not None
    assert size * 5 < limits.max_bytes and limits.max_records > 2642 * 5
    # And a file of records without codes at the record limit is read, reported, not imported.
    path = tmp_path / "khong-ma.jsonl.gz"
    path.write_bytes(gzip.compress(b"{}\n" * 30 + RECORD))
    parsed, failed = parse_raw_file(path, limits=ImportLimits(max_records=31))
    assert [p.code for p in parsed] == ["1.000001"] and len(failed) == 30


def test_the_command_line_import_refuses_a_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"{}\n" * 4_000_000, compresslevel=9))
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "import", str(bomb), "--no-progress"],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "more than 20000 records" in result.stderr
