"""Members of the export's zip dated to the month of export, never to the second.

zipfile stamps every member with the local time of writing; in a research export that would
be a date finer than the month (DESIGN.md "Research export"), the day an export was made,
and with it day 0 of whoever started that day. Every member is written through here.
"""
import shutil
import zipfile

from . import clock


def member(archive, name, size_bound=0):
    """Open *name* for writing in *archive* (a ZipFile opened "w"), dated the 1st of this
    month at 00:00, with the archive's compression and level.

    :param size_bound: an upper bound of the member's size (Zip64 is needed past 2 GiB)
    """
    month = clock.today()
    info = zipfile.ZipInfo(name, date_time=(month.year, month.month, 1, 0, 0, 0))
    info.compress_type = archive.compression
    level = getattr(archive, "compresslevel", None)
    if level is not None:
        for attribute in ("compress_level", "_compresslevel"):  # 3.13+; 3.11 and 3.12
            try:
                setattr(info, attribute, level)
                break
            except AttributeError:
                continue
    return archive.open(info, "w", force_zip64=size_bound >= zipfile.ZIP64_LIMIT)


def write_text(archive, name, text):
    """A small text member (README, codebook)."""
    with member(archive, name) as out:
        out.write(text.encode("utf-8"))


def copy_file(archive, name, path):
    """The file at *path* as member *name*, streamed."""
    size = path.stat().st_size
    with open(path, "rb") as source, member(archive, name, size) as out:
        shutil.copyfileobj(source, out, 1 << 20)
