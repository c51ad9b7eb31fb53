"""The assertion style, waiting, child processes and the case runner that
the Python harnesses share.

One assertion style: check(condition, what) raises Failure(what) unless the
condition holds, and prints "ok: what" when it does; the log-file
assertions (Logs.expect, Logs.absent) and the waits are built on it. A
case ends at its first failure. Waits poll for an event line and give up
after a generous time-out (a hung program, never a slow one, fails a case).

One case per file: run_case() loads CASES_DIR/<name>.py and calls its
run(ctx) with the harness's context object, which the harness makes and
closes (stopping every process it started, by PID, and removing its
files) whatever happens. Exit status: 0 passed, 1 failed, 77 skipped (the
meson and automake convention), 2 for an unknown case.
"""
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback


class Skip(Exception):
    pass


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print('ok:', what, flush=True)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise Failure('timed out after %s s waiting for %s' % (timeout, what))
        time.sleep(0.05)


def settle(seconds):
    """Give what must NOT happen the time to happen before checking that it
    did not (a delivery that would already be under way)."""
    time.sleep(seconds)


class TimedLines:
    """The lines of a child's output stream as they arrive, each with the
    time.monotonic() of its arrival (for timelines and benchmarks), and
    optionally copied to a file as they come."""

    def __init__(self, stream, path=None):
        self.entries = []  # (time, line)
        self.lock = threading.Lock()
        self.path = path
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        out = open(self.path, 'a', buffering=1, errors='replace') if self.path else None
        try:
            for raw in iter(stream.readline, b'' if 'b' in getattr(stream, 'mode', 'r') else ''):
                line = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else raw
                line = line.rstrip('\n')
                t = time.monotonic()
                with self.lock:
                    self.entries.append((t, line))
                if out:
                    out.write(line + '\n')
        finally:
            if out:
                out.close()

    def lines(self):
        with self.lock:
            return [l for _, l in self.entries]

    def text(self):
        return '\n'.join(self.lines())

    def find(self, pattern):
        return [l for l in self.lines() if re.search(pattern, l)]

    def when(self, pattern, start=0.0):
        """The arrival time and text of the first line matching @pattern
        that arrived at or after @start, or None."""
        with self.lock:
            for t, l in self.entries:
                if t >= start and re.search(pattern, l):
                    return t, l
        return None

    def wait(self, pattern, timeout=30, start=0.0, what=None):
        return wait_for(lambda: self.when(pattern, start), timeout,
                        (what or 'a line') + ' /%s/; so far:\n%s' % (pattern, self.text()[-3000:]))

    def join(self, timeout=5):
        self.thread.join(timeout)


class Logs:
    """Assertions on the event lines that a case's programs write into
    files of one directory (named relative to it). Patterns are Python
    regular expressions searched in each line."""

    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name)

    def lines(self, name):
        try:
            with open(self.path(name), errors='replace') as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def text(self, name):
        return '\n'.join(self.lines(name))

    def find(self, name, pattern):
        return [l for l in self.lines(name) if re.search(pattern, l)]

    def count(self, name, pattern):
        return len(self.find(name, pattern))

    def first(self, name, pattern):
        """The match object of the first line matching, or None."""
        for l in self.lines(name):
            m = re.search(pattern, l)
            if m:
                return m
        return None

    def wait(self, name, pattern, timeout=15, proc=None):
        """Wait for a line matching @pattern; -> its match object. With
        @proc (the program writing it), fail as soon as it exited without."""
        def seen():
            m = self.first(name, pattern)
            if not m and proc is not None and proc.poll() is not None:
                m = self.first(name, pattern)
                if not m:
                    raise Failure('%s exited (status %s) before /%s/ in %s' % (
                        os.path.basename(str(proc.args[0])), proc.returncode, pattern, name))
            return m
        m = wait_for(seen, timeout, '/%s/ in %s' % (pattern, name))
        print('ok: /%s/ in %s' % (pattern, name), flush=True)
        return m

    def expect(self, name, pattern, what=None):
        check(self.first(name, pattern),
              (what + ': ' if what else '') + '/%s/ in %s' % (pattern, name))

    def absent(self, name, pattern, what=None):
        hits = self.find(name, pattern)
        check(not hits, (what + ': ' if what else '') + 'no /%s/ in %s%s' % (
            pattern, name, (' (found: %s)' % hits[:3]) if hits else ''))


def stop_proc(p, timeout=5):
    """SIGTERM, then SIGKILL after @timeout seconds; by PID."""
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Procs:
    """The child processes a case started, stopped by PID in reverse order
    when the case ends. Output goes to files (out, err: paths; err=STDOUT
    joins them), so that Logs can wait for and assert on it."""

    STDOUT = subprocess.STDOUT

    def __init__(self):
        self.procs = []

    def start(self, argv, out=None, err=None, env=None, stdin=subprocess.DEVNULL, **kw):
        files = []
        try:
            o = open(out, 'w') if out else subprocess.DEVNULL
            if out:
                files.append(o)
            if err is subprocess.STDOUT:
                e = subprocess.STDOUT
            elif err:
                e = open(err, 'w')
                files.append(e)
            else:
                e = subprocess.DEVNULL
            p = subprocess.Popen([str(a) for a in argv], stdin=stdin, stdout=o, stderr=e,
                                 env=env, **kw)
        finally:
            for f in files:
                f.close()
        self.procs.append(p)
        return p

    def run(self, argv, **kw):
        """Start, then wait for the end: -> exit status."""
        p = self.start(argv, **kw)
        return p.wait()

    def stop(self, p, timeout=5):
        stop_proc(p, timeout)

    def stop_all(self):
        for p in reversed(self.procs):
            stop_proc(p)


def scan_memory(pid, needle):
    """Where in the process's readable memory @needle occurs."""
    hits = []
    with open('/proc/%d/maps' % pid) as maps, open('/proc/%d/mem' % pid, 'rb', 0) as mem:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split('-'))
            name = fields[5] if len(fields) > 5 else ''
            if 'r' not in fields[1] or name in ('[vvar]', '[vsyscall]'):
                continue
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, ValueError, OverflowError):
                continue
            i = data.find(needle)
            while i >= 0:
                hits.append('%x %s' % (start + i, name))
                i = data.find(needle, i + 1)
    return hits


def read_shell_env(path):
    """The NAME='value' assignments of a shell environment file (the
    upstream.env scripts/build-upstream writes) as a dict."""
    values = {}
    with open(path) as f:
        for l in f:
            m = re.match(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:'([^']*)'|\"([^\"]*)\"|(\S*))\s*$",
                         l.strip())
            if m:
                values[m.group(1)] = next(g for g in m.groups()[1:] if g is not None)
    return values


def load_case(cases_dir, name):
    """The module of case @name: CASES_DIR/<name>.py, or None."""
    path = os.path.join(cases_dir, name + '.py')
    if not re.fullmatch(r'[a-z0-9][a-z0-9-]*', name or '') or not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location('case_' + name.replace('-', '_'), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def case_names(cases_dir):
    return sorted(f[:-3] for f in os.listdir(cases_dir) if f.endswith('.py'))


def run_case(cases_dir, name, make_context):
    """Run case @name (a file in @cases_dir) with the context that
    make_context(name) returns; the context's close(failed) ends
    everything. Exits with the case's status."""
    case = load_case(cases_dir, name)
    if case is None:
        print('unknown case %r (cases: %s)' % (name, ' '.join(case_names(cases_dir))))
        sys.exit(2)
    run_one(case.run, name, make_context)


def run_one(func, name, make_context):
    """Run func(context) as case @name (a harness of one case); exits with
    the case's status."""
    def interrupted(signum, frame):
        raise SystemExit(130)  # through the finally below: stop, clean up
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    ctx = None
    status = 1
    try:
        ctx = make_context(name)
        func(ctx)
        status = 0
    except Skip as e:
        print('SKIP:', e)
        status = 77
    except Failure as e:
        print('FAIL:', e)
    except Exception:
        traceback.print_exc()
        print('FAIL: %s: an error in the harness or the case' % name)
    finally:
        if ctx is not None:
            try:
                ctx.close(status == 1)
            except Failure as e:
                print('FAIL:', e)
                status = 1
    if status == 0:
        print('PASS:', name)
    sys.stdout.flush()
    sys.exit(status)
