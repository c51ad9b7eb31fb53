"""Manual pages as a reader gets them, for tests/docs/man-page and
client/tests/check-man-page:

    warnings(path)          what man(1) warns while rendering @path at 80
                            columns in UTF-8 (man --warnings: groff -ww)
    text(path)              the page rendered at 200 columns, plain text
    part(path, start, end)  roff of the page's header and one part of it
"""
import os
import re
import shutil
import subprocess

from .core import Skip


def _man(*args, width):
    if not shutil.which('man'):
        raise Skip('man is not installed (scripts/setup installs man-db)')
    env = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH=str(width))
    return subprocess.run(['man'] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env)


def warnings(path):
    return _man('--warnings', '-E', 'UTF-8', '-l', path, width=80).stderr.decode(
        'utf-8', 'replace').strip()


def text(path):
    out = _man('-E', 'UTF-8', '-l', path, width=200).stdout.decode('utf-8', 'replace')
    return re.sub(r'.\x08', '', out)


def part(roff, start, end):
    """The page's header (up to its first section), then the part from the
    first line starting with @start (literally) to the next line starting
    with @end at the same level, or the next section, under a section of
    its own (".SH PART"): for generated pages (qemu(1)) whose other parts
    are upstream's and warn by themselves. None if no line starts with
    @start."""
    out = []
    header_done = started = seen = False
    held = ''
    for line in roff.splitlines():
        if not started and line.startswith('.SH'):
            header_done = True
        if not header_done:
            out.append(line)
            continue
        if not started:
            if line.startswith(start):
                started = True
                out += ['.SH PART', '.TP', line]
            continue
        if line.startswith('.SH') or (end and line.startswith(end) and seen):
            if held != '.TP':
                out.append(held)
            break
        if seen:
            out.append(held)
        held, seen = line, True
    else:
        if started and held != '.TP':
            out.append(held)
    return '\n'.join(out) + '\n' if started else None
