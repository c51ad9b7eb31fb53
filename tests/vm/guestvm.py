"""Boot the spice-sso test guest with the patched qemu and follow it.

Used by tests/vm/run-guest (the command line), the vm-e2e tests and
scripts/demo. docs/vm.md describes the guest, the markers and the hooks.

    from guestvm import Guest
    with Guest(kdc_port=..., keytab=..., hooks=[...]) as g:
        g.wait("ready", timeout=60)
        rc, out = g.run("klist -k")
        g.poweroff()

The guest reports each step on its first serial port as
    SSO-GUEST <ms> <event> [details]
(<ms>: guest CLOCK_BOOTTIME in milliseconds), which qemu writes to a file
here; every marker also gets the host time since qemu was started. The second
serial port is the control channel (a UNIX socket here): `ping`,
`run <id> <command>` and `poweroff`.

Everything a run creates lives in one 0700 directory under /tmp that is
removed on stop; qemu is killed by its PID."""
import datetime
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

MARKER_RE = re.compile(r"SSO-GUEST (\d+) ([A-Za-z0-9_.-]+)(?: ([^\r\n]*))?")

# The guest's view of the KDC: guestfwd maps this TCP address to the host's
# loopback KDC. The guest's /etc/krb5.conf names it.
GUEST_KDC_ADDR = "10.0.2.100"
GUEST_KDC_PORT = 88

# The single sign-on hooks (docs/vm.md, "Single sign-on in the guest"), in
# order: system pieces (syslog, default cache, fabricated seat, logind
# stand-in), the KEYRING check (only with a test credential), spice-vdagentd,
# the greeter emulator.
SSO_HOOKS = [os.path.join(HERE, "hooks", n) for n in (
    "60-sso-system.sh", "61-sso-keyring-check.sh", "62-sso-vdagentd.sh", "63-sso-greeter.sh")]

# spice-server's "sso:" lines as qemu prints them with -msg timestamp=on
SERVER_LOG_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z .*?Spice: (sso: .*)$")

# Events after which waiting any longer is pointless.
FATAL_EVENTS = ("initramfs-failed",)


class GuestError(Exception):
    pass


class Marker:
    __slots__ = ("ms", "event", "details", "host_s", "line")

    def __init__(self, ms, event, details, host_s, line):
        self.ms, self.event, self.details, self.host_s, self.line = ms, event, details, host_s, line

    def field(self, key):
        """The value of key=value in the details, or None."""
        for w in self.details.split():
            k, sep, v = w.partition("=")
            if sep and k == key:
                return v
        return None

    def __repr__(self):
        return f"<{self.event} guest={self.ms}ms host={self.host_s:.2f}s {self.details!r}>"


def read_env_file(path):
    """Shell assignments NAME='value' (as our scripts write them) -> dict."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            k, _, v = line.partition("=")
            parts = shlex.split(v) if v else [""]
            env[k] = parts[0] if parts else ""
    return env


def own_build():
    return os.environ.get("SPICE_SSO_BUILD", os.path.join(TOP, "_build"))


def upstream_env():
    """The upstream builds of this checkout (scripts/build-upstream)."""
    path = os.environ.get("SPICE_SSO_UPSTREAM_ENV") or os.path.join(own_build(), "upstream.env")
    if not os.path.exists(path):
        raise GuestError(f"{path} is missing: run scripts/build-upstream first")
    return read_env_file(path)


def build_guest(overlay=None, quiet=True, script=None):
    """Run tests/vm/build-guest, or another image builder with the same
    interface (seconds when cached) -> its GUEST_* values."""
    cmd = [script or os.path.join(HERE, "build-guest")]
    if overlay:
        cmd += ["--overlay", overlay]
    if quiet:
        cmd.append("--quiet")
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    env = {}
    for line in out.splitlines():
        k, _, v = line.partition("=")
        if k.startswith("GUEST_"):
            env[k] = shlex.split(v)[0]
    return env


def plain_build():
    return os.environ.get("SPICE_SSO_PLAIN", os.path.join(own_build(), "plain"))


def build_files(path=None):
    """{guest path: (host path, mode)} from tests/vm/guest-files."""
    path = path or os.path.join(HERE, "guest-files")
    variables = dict(upstream_env())
    variables["PLAIN"] = plain_build()
    variables["TOP"] = TOP
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                src, dst, mode = line.split()
            except ValueError:
                raise GuestError(f"{path}:{n}: want SOURCE GUEST-PATH MODE") from None
            src = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                         lambda m: variables.get(m.group(1), m.group(0)), src)
            if "$" in src:
                raise GuestError(f"{path}:{n}: unknown variable in {src}")
            if not os.path.isfile(src):
                raise GuestError(f"{path}:{n}: {src} does not exist (is it built?)")
            out[dst] = (src, int(mode, 8))
    return out


def _die_with_parent():
    """In the qemu child: get SIGKILL when the harness dies, even by SIGKILL
    (prctl PR_SET_PDEATHSIG), so no qemu outlives its test."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """One boot of the test guest.

    kdc_port     host loopback port of the KDC; the guest reaches it as
                 10.0.2.100:88 (TCP) through guestfwd, nothing else (restrict=on)
    keytab       installed in the guest as /etc/krb5.keytab, 0600 root
    spice_opts   appended to "-spice port=<free>,addr=127.0.0.1," (a string:
                 "disable-ticketing=on", "sasl=on,gss-delegate=on", ...)
    spice_keytab the SPICE service keytab for qemu's SASL GSSAPI (KRB5_KTNAME
                 and the keytab: line of the per-run SASL config qemu.conf)
    overlays     directories copied over the guest's / at boot (config disk)
    hooks        hook scripts, installed as /etc/spice-sso/guest.d/<name>
    files        {guest path: host path, bytes or (host path, mode)} added to
                 the per-run overlay
    builds       add the built files listed in tests/vm/guest-files
    guest_env    {name: value} exported to the hooks (config disk guest.env)
    krb5_conf    a krb5.conf to replace the guest's
    guestfwd     "cmd" (a relay process per guest connection, the default) or
                 "tcp" (one qemu chardev connection, see docs/vm.md)
    log_path     where to keep a copy of the serial console after the run
    echo         a callable(str) that gets every marker line as it arrives
    spice_host   run qemu as the SPICE host spice-host.spice.test
                 (tests/lib/spice-host-ns server): Cyrus SASL then names
                 the acceptor spice/spice-host.spice.test, which the realm's
                 SPICE keytab holds; clients connect to that name
                 (spice-host-ns client)
    """

    def __init__(self, *, kdc_port=None, keytab=None, spice_opts="disable-ticketing=on",
                 spice_keytab=None, spice_port=None, overlays=(), hooks=(), files=None,
                 guest_env=None, krb5_conf=None, memory_mb=512, image=None, qemu=None,
                 guestfwd="cmd", log_path=None, echo=None, extra_qemu_args=(), keep=False,
                 append="", builds=False, spice_host=False):
        self.kdc_port = kdc_port
        self.keytab = keytab
        self.spice_opts = spice_opts
        self.spice_keytab = spice_keytab
        self.spice_port = spice_port
        self.overlays = list(overlays)
        self.hooks = list(hooks)
        self.files = dict(build_files()) if builds else {}
        self.files.update(files or {})
        self.guest_env = dict(guest_env or {})
        self.krb5_conf = krb5_conf
        self.memory_mb = memory_mb
        self.image = image
        self.qemu = qemu
        self.guestfwd = guestfwd
        self.log_path = log_path
        self.echo = echo
        self.extra_qemu_args = list(extra_qemu_args)
        self.keep = keep
        self.append = append
        self.spice_host = spice_host
        self.proc = None
        self.rundir = None
        self.markers = []
        self._pos = 0
        self._partial = b""
        self._seen = 0
        self.t0 = None
        self.exit_status = None
        self._ctl = None
        self._run_seq = 0

    # ------------------------------------------------------------ set-up

    def _config_disk(self):
        cfg = os.path.join(self.rundir, "config")
        os.makedirs(cfg, mode=0o700)
        ov = os.path.join(cfg, "overlay")
        os.makedirs(ov)
        for d in self.overlays:
            # cp -a keeps modes and owners; the guest copies with tar
            subprocess.run(["cp", "-a", "--no-preserve=links", os.path.join(d, "."), ov], check=True)
        hooks_dir = os.path.join(ov, "etc/spice-sso/guest.d")
        for h in self.hooks:
            os.makedirs(hooks_dir, exist_ok=True)
            dst = os.path.join(hooks_dir, os.path.basename(h))
            shutil.copyfile(h, dst)
            os.chmod(dst, 0o755)
        for gpath, src in self.files.items():
            dst = os.path.join(ov, gpath.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            mode = None
            if isinstance(src, tuple):
                src, mode = src
            if isinstance(src, (bytes, bytearray)):
                with open(dst, "wb") as f:
                    f.write(src)
            else:
                shutil.copy2(src, dst)
            if mode is not None:
                os.chmod(dst, mode)
        if self.keytab:
            shutil.copyfile(self.keytab, os.path.join(cfg, "krb5.keytab"))
            os.chmod(os.path.join(cfg, "krb5.keytab"), 0o600)
        if self.krb5_conf:
            shutil.copyfile(self.krb5_conf, os.path.join(cfg, "krb5.conf"))
        with open(os.path.join(cfg, "guest.env"), "w", encoding="utf-8") as f:
            for k, v in sorted(self.guest_env.items()):
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                    raise GuestError(f"bad guest_env name {k!r}")
                f.write(f"{k}={shlex.quote(str(v))}\n")
        kib = 0
        for root, _, names in os.walk(cfg):
            for n in names:
                p = os.path.join(root, n)
                if not os.path.islink(p):
                    kib += os.path.getsize(p) // 1024 + 4
        mib = kib // 1024 * 2 + 8
        img = os.path.join(self.rundir, "config.ext4")
        subprocess.run(["mke2fs", "-q", "-t", "ext4", "-O", "^has_journal", "-L", "sso-config",
                        "-E", "root_owner=0:0", "-d", cfg, img, f"{mib}M"],
                       check=True, stdout=subprocess.DEVNULL)
        os.chmod(img, 0o600)
        shutil.rmtree(cfg)
        return img

    def _netdev(self):
        nd = "user,id=n0,restrict=on"
        if self.kdc_port:
            fwd = f"tcp:{GUEST_KDC_ADDR}:{GUEST_KDC_PORT}-"
            if self.guestfwd == "cmd":
                # a relay process per guest connection (libslirp runs it with the
                # connection as stdin and stdout); commas doubled for QemuOpts
                relay = os.path.join(HERE, "kdc-relay")
                fwd += f"cmd:{relay} 127.0.0.1 {int(self.kdc_port)}"
            elif self.guestfwd == "tcp":
                fwd += f"tcp:127.0.0.1:{int(self.kdc_port)}"
            else:
                raise GuestError(f"guestfwd must be 'cmd' or 'tcp', not {self.guestfwd!r}")
            nd += ",guestfwd=" + fwd.replace(",", ",,")
        return nd

    def qemu_binary(self):
        return self.qemu or os.path.join(upstream_env()["QEMU_PREFIX"], "bin", "qemu-system-x86_64")

    def spice_arg(self):
        """-spice's argument: loopback, the port, the caller's options."""
        spice = f"port={self.spice_port},addr=127.0.0.1"
        return spice + ("," + self.spice_opts if self.spice_opts else "")

    def kernel_append(self, base):
        return base + (" " + self.append if self.append else "")

    def command_line(self, config_img):
        img = self.image
        qemu = self.qemu_binary()
        r = self.rundir
        append = self.kernel_append("console=ttyS0 quiet panic=-1 mitigations=off")
        return [
            qemu, "-name", "spice-sso-guest", "-accel", "tcg", "-machine", "pc",
            "-m", str(self.memory_mb), "-smp", "1",
            "-nodefaults", "-no-user-config", "-display", "none", "-vga", "none", "-no-reboot",
            "-kernel", img["GUEST_KERNEL"], "-initrd", img["GUEST_INITRD"], "-append", append,
            "-chardev", f"file,id=con,path={r}/serial.log", "-serial", "chardev:con",
            "-chardev", f"socket,id=ctl,path={r}/control.sock,server=on,wait=off",
            "-serial", "chardev:ctl",
            "-qmp", f"unix:{r}/qmp.sock,server=on,wait=off",
        ] + self.guest_devices(config_img) + self.extra_qemu_args

    def guest_devices(self, config_img, display=()):
        """The disks (root image as a snapshot, the config disk), the agent
        port on SPICE, the display devices and the user-mode network."""
        return [
            "-drive", f"if=none,id=root,file={self.image['GUEST_ROOTFS']},format=raw,snapshot=on",
            "-device", "virtio-blk-pci,drive=root,serial=sso-root",
            "-drive", f"if=none,id=cfg,file={config_img},format=raw,readonly=on",
            "-device", "virtio-blk-pci,drive=cfg,serial=sso-config",
        ] + list(display) + [
            "-device", "virtio-serial-pci",
            "-chardev", "spicevmc,id=vdagent,name=vdagent",
            "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0",
            "-spice", self.spice_arg(),
            "-netdev", self._netdev(),
            "-device", "virtio-net-pci,netdev=n0,romfile=",
        ]

    def start(self):
        if self.image is None:
            self.image = build_guest()
        self.rundir = tempfile.mkdtemp(prefix="spice-sso-vm.", dir="/tmp")
        os.chmod(self.rundir, 0o700)
        try:
            config_img = self._config_disk()
            if self.spice_port is None:
                self.spice_port = free_tcp_port()
            # qemu's SPICE SASL: Cyrus reads <appname>.conf ("qemu") from
            # SASL_CONF_PATH; the GSSAPI keytab comes from KRB5_KTNAME too
            sasl = os.path.join(self.rundir, "sasl")
            rcache = os.path.join(self.rundir, "rcache")
            os.makedirs(sasl, mode=0o700)
            os.makedirs(rcache, mode=0o700)
            with open(os.path.join(sasl, "qemu.conf"), "w", encoding="utf-8") as f:
                f.write("mech_list: gssapi gss-spnego\n")
                if self.spice_keytab:
                    f.write(f"keytab: {self.spice_keytab}\n")
            env = dict(os.environ)
            env["SASL_CONF_PATH"] = sasl
            env["KRB5RCACHEDIR"] = rcache
            if self.spice_keytab:
                env["KRB5_KTNAME"] = self.spice_keytab
            # the qemu process needs no ticket cache of anybody's
            env.pop("KRB5CCNAME", None)
            open(os.path.join(self.rundir, "serial.log"), "wb").close()
            self.cmdline = self.command_line(config_img)
            with open(os.path.join(self.rundir, "qemu.cmdline"), "w", encoding="utf-8") as f:
                f.write(shlex.join(self.cmdline) + "\n")
            argv = self.cmdline
            if self.spice_host:
                # exec all the way down: the PID stays qemu's
                argv = [os.path.join(TOP, "tests", "lib", "spice-host-ns"), "server"] + argv
            self.t0 = time.monotonic()
            self.proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL,
                stdout=open(os.path.join(self.rundir, "qemu.log"), "wb"),
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)
        except BaseException:
            self.stop()
            raise
        return self

    # ------------------------------------------------------------ following

    def _poll(self):
        """Read new serial output; return True while qemu runs."""
        path = os.path.join(self.rundir, "serial.log")
        try:
            with open(path, "rb") as f:
                f.seek(self._pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        now = time.monotonic() - self.t0
        if data:
            self._pos += len(data)
            data = self._partial + data
            lines = data.split(b"\n")
            self._partial = lines.pop()
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                # escape sequences from the firmware or kernel may precede a
                # marker on the same line: match anywhere in the line
                m = MARKER_RE.search(line)
                if m:
                    mk = Marker(int(m.group(1)), m.group(2), m.group(3) or "", now, m.group(0))
                    self.markers.append(mk)
                    if self.echo:
                        self.echo(f"[{now:7.2f}s] {m.group(0)}")
        if self.proc is not None and self.exit_status is None:
            rc = self.proc.poll()
            if rc is not None:
                self.exit_status = rc
        return self.exit_status is None

    def elapsed(self):
        return time.monotonic() - self.t0

    def find(self, event, pred=None, start=0):
        for mk in self.markers[start:]:
            if mk.event == event and (pred is None or pred(mk)):
                return mk
        return None

    def wait(self, event, timeout=60, pred=None, start=0):
        """Wait for a marker (event name, optional predicate); return it."""
        deadline = time.monotonic() + timeout
        while True:
            alive = self._poll()
            mk = self.find(event, pred, start)
            if mk:
                return mk
            bad = next((m for m in self.markers[start:] if m.event in FATAL_EVENTS), None)
            if bad:
                raise GuestError(f"guest failed while waiting for {event}: {bad.line}\n{self.tail()}")
            if not alive:
                self._poll()
                mk = self.find(event, pred, start)
                if mk:
                    return mk
                raise GuestError(f"qemu exited (status {self.exit_status}) before marker {event}\n{self.tail()}")
            if time.monotonic() > deadline:
                raise GuestError(f"no marker {event} within {timeout} s\n{self.tail()}")
            time.sleep(0.02)

    def wait_exit(self, timeout=30):
        deadline = time.monotonic() + timeout
        while self._poll():
            if time.monotonic() > deadline:
                raise GuestError(f"qemu still running {timeout} s after poweroff\n{self.tail()}")
            time.sleep(0.02)
        return self.exit_status

    def qemu_log(self):
        """What qemu wrote so far (stdout and stderr: spice-server's log
        lines, the "sso:" decisions among them)."""
        try:
            with open(os.path.join(self.rundir, "qemu.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def server_log(self):
        """spice-server's "sso:" lines in qemu's output, each with the wall
        clock time qemu stamped it with when it printed it (qemu started with
        -msg timestamp=on: "2026-11-22T18:25:07.123456Z qemu-system-x86_64:
        info: Spice: sso: ...", UTC, microseconds): [(epoch seconds, "sso: ...")]."""
        out = []
        for line in self.qemu_log().splitlines():
            m = SERVER_LOG_RE.search(line)
            if m:
                t = datetime.datetime.fromisoformat(m.group(1)).replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                out.append((t, m.group(2)))
        return out

    def tail(self, n=40):
        out = []
        try:
            with open(os.path.join(self.rundir, "serial.log"), "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
            out.append("--- serial console (last lines):")
            out += ["  " + re.sub(r"\x1b[\[\]()?0-9;=<>]*[A-Za-z]?", "", l) for l in lines]
        except OSError:
            pass
        try:
            with open(os.path.join(self.rundir, "qemu.log"), "rb") as f:
                q = f.read().decode("utf-8", "replace").strip()
            if q:
                out.append("--- qemu output:")
                out += ["  " + l for l in q.splitlines()[-10:]]
        except OSError:
            pass
        return "\n".join(out)

    # ------------------------------------------------------------ control

    def send(self, line):
        """Send one command line on the control port (the guest's ttyS1)."""
        if self._ctl is None:
            # bytes sent before the guest opened its ttyS1 would be lost
            self.wait("control-ready", timeout=120)
            path = os.path.join(self.rundir, "control.sock")
            deadline = time.monotonic() + 10
            while True:
                try:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(path)
                    break
                except OSError:
                    s.close()
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self._ctl = s
        if "\n" in line:
            raise GuestError("one command per line")
        self._ctl.sendall(line.encode() + b"\n")

    def run(self, command, timeout=60):
        """Run a shell command in the guest as root; -> (rc, [output lines])."""
        self._run_seq += 1
        rid = f"r{self._run_seq}"
        start = len(self.markers)
        self.send(f"run {rid} {command}")
        mk = self.wait("run-exit", timeout, pred=lambda m: m.details.split()[0] == rid, start=start)
        out = [m.details[len(rid) + 1:] for m in self.markers[start:]
               if m.event == "out" and m.details.split(" ", 1)[0] == rid]
        return int(mk.field("rc")), out

    def clock_sync(self, samples=5, timeout=30):
        """Put guest marker times on the host's clock: NTP-style ping/pong
        on the control port. For each sample the host notes its wall clock
        (time.time()) when it sends "ping" and when the "pong" marker appears
        on the console; the marker carries the guest's clock (the marker
        clock, ms). The sample with the shortest round trip wins: guest time
        minus the midpoint of send and receive is the offset, right to within
        half that round trip. Sets and returns (offset_s, rtt_s); host_time()
        then converts markers."""
        best = None
        if self._ctl is None:
            start = len(self.markers)
            self.send("ping")  # connects (after control-ready)
            self.wait("pong", timeout, start=start)
        for _ in range(samples):
            start = len(self.markers)
            t_send = time.time()
            self._ctl.sendall(b"ping\n")
            deadline = time.monotonic() + timeout
            pong = None
            while pong is None:
                self._poll()
                pong = self.find("pong", start=start)
                if pong is not None:
                    t_recv = time.time()
                elif time.monotonic() > deadline:
                    raise GuestError(f"no pong within {timeout} s\n{self.tail()}")
                else:
                    time.sleep(0.001)
            rtt = t_recv - t_send
            off = pong.ms / 1000 - (t_send + t_recv) / 2
            if best is None or rtt < best[1]:
                best = (off, rtt)
        self.clock = best
        return best

    def host_time(self, marker):
        """A marker's guest time on the host's wall clock (after clock_sync)."""
        return marker.ms / 1000 - self.clock[0]

    def qmp_events(self):
        """QMP events so far (dicts as qemu sends them, each with its
        "timestamp": qemu's wall clock, seconds and microseconds). The first
        call connects to qemu's QMP socket and starts collecting."""
        if getattr(self, "_qmp", None) is None:
            import json
            import threading
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(os.path.join(self.rundir, "qmp.sock"))
            f = s.makefile("rwb", buffering=0)
            json.loads(f.readline())  # the greeting
            f.write(b'{"execute": "qmp_capabilities"}\n')
            json.loads(f.readline())
            self._qmp, self._qmp_events = s, []

            def read():
                for line in f:
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if "event" in msg:
                        self._qmp_events.append(msg)
            threading.Thread(target=read, daemon=True).start()
        return list(self._qmp_events)

    def poweroff(self, timeout=30, reason="host"):
        if self.exit_status is None and self.proc is not None:
            self.send(f"poweroff {reason}")
            self.wait_exit(timeout)
        return self.exit_status

    def stop(self):
        """Kill qemu by its PID (if it still runs) and remove the run directory."""
        if self._ctl is not None:
            self._ctl.close()
            self._ctl = None
        if getattr(self, "_qmp", None) is not None:
            self._qmp.close()
            self._qmp = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.exit_status = self.proc.returncode if self.exit_status is None else self.exit_status
        if self.rundir and os.path.isdir(self.rundir):
            if self.log_path:
                try:
                    shutil.copyfile(os.path.join(self.rundir, "serial.log"), self.log_path)
                except OSError:
                    pass
            if self.keep:
                print(f"guestvm: kept {self.rundir}", file=sys.stderr)
            else:
                shutil.rmtree(self.rundir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def timeline(self):
        """Marker lines with host and guest times, for reports."""
        return "\n".join(f"{m.host_s:8.2f}s  guest {m.ms / 1000:8.3f}s  {m.event} {m.details}".rstrip()
                         for m in self.markers)
