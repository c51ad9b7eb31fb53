"""The GNOME test guest (tests/gnome/build-gnome-guest) booted with the
patched qemu: a Debian 12 desktop with systemd, logind, udev, gdm3 and
gnome-shell as Debian ships them, driven by the gnome suite
(tests/gnome/test-gnome), scripts/demo and scripts/bench (docs/vm.md).

    from gnomevm import GnomeGuest
    with GnomeGuest(kdc_port=..., keytab=..., spice_opts=...) as g:
        g.wait_greeter()
        ...

The markers and the control port are those of the small guest
(tests/vm/guestvm.py): here systemd is PID 1 and two units of ours
(spice-sso-guest.service, spice-sso-control.service) provide them. What
the tests read about logins comes from the guest's own tools: loginctl,
the journal, /proc of the session's processes, klist run as the user.

Nothing in the guest is emulated: what is ours in it are our Debian
packages, installed with apt as a user installs them (scripts/package:
spice-vdagent 0.23.0+sso, replacing Debian's, and libpam-vdagent-sso with
the module, gdm-ovirtcred, the helper and its unit), sso.conf
(tests/gnome/guest-files), the two units above and the test accounts."""
import glob
import json
import os
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "vm"))
import guestvm  # noqa: E402
from guestvm import GuestError  # noqa: E402,F401

# The local users' passwords in the test guest, for the cases that type one
# at the greeter or the unlock dialog (lowercase letters and digits: typed as
# QMP key codes). A throwaway guest; nothing else knows these.
PASSWORDS = {"alice": "wonderland7", "bob": "builder7"}
UIDS = {"alice": 5001, "bob": 5002}


def plain_share(pixels):
    """The share of (sampled) pixels that have the screen's most common
    colour: nearly 1 for a screen nothing has drawn on yet (black) or only
    a background (gnome-shell paints its plain background before its UI)."""
    n = len(pixels) // 3
    counts = {}
    for i in range(0, n, 11):
        c = pixels[3 * i:3 * i + 3]
        counts[c] = counts.get(c, 0) + 1
    return max(counts.values()) / sum(counts.values())


def build_gnome_guest(overlay=None, quiet=True):
    """tests/gnome/build-gnome-guest (seconds when cached) -> GUEST_* values."""
    return guestvm.build_guest(overlay, quiet, script=os.path.join(HERE, "build-gnome-guest"))


def guest_packages():
    """Our Debian 12 packages the guest installs, spice-vdagent and
    libpam-vdagent-sso, as scripts/package builds them from this tree
    (cached by content: built only when their sources changed) -> the
    .deb paths."""
    pkg = os.path.join(TOP, "scripts", "package")
    comps = ["spice-vdagent", "libpam-vdagent-sso"]
    subprocess.run([pkg, "bookworm"] + comps, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([pkg, "bookworm"], env=dict(os.environ, SPICE_SSO_PACKAGE_KEYS="1"),
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    dirs = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
    debs = []
    for c in comps:
        found = sorted(glob.glob(os.path.join(dirs.get(c, "").strip(), "debs", "*.deb")))
        if not found:
            raise GuestError(f"scripts/package built no {c} package (see its output above)")
        debs += found
    return debs


def image_with_builds(quiet=True):
    """The GNOME guest with our packages (guest_packages()) installed by apt
    and the files of tests/gnome/guest-files on top: the overlay is cached
    by its content, so a rebuild of ours makes a new image (about 40 s) and
    an unchanged build reuses it."""
    files = guestvm.build_files(os.path.join(HERE, "guest-files"))
    debs = guest_packages()
    stage = tempfile.mkdtemp(prefix="spice-sso-gnome-overlay.")
    try:
        os.makedirs(os.path.join(stage, "srv", "spice-sso-debs"))
        for deb in debs:
            shutil.copyfile(deb, os.path.join(stage, "srv", "spice-sso-debs", os.path.basename(deb)))
        for gpath, (src, mode) in files.items():
            dst = os.path.join(stage, gpath.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            os.chmod(dst, mode)
        for root, dirs, names in os.walk(stage):
            for n in dirs + names:
                os.lchown(os.path.join(root, n), 0, 0)
            os.chmod(root, 0o755)
        return build_gnome_guest(overlay=stage, quiet=quiet)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def ppm_to_png(ppm, png):
    """qemu's screendump (binary PPM, P6, maxval 255) as a PNG file."""
    with open(ppm, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise GuestError(f"{ppm}: not a binary 8-bit PPM")
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos:pos + w * h * 3]
    raw = b"".join(b"\0" + pixels[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return w, h, pixels


def png_pixels(png):
    """The RGB pixels of a PNG that ppm_to_png wrote (8-bit RGB, filter 0)."""
    with open(png, "rb") as f:
        data = f.read()
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w = struct.unpack(">I", body[:4])[0]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    row = 1 + 3 * w
    return b"".join(raw[i + 1:i + row] for i in range(0, len(raw), row))


def difference(a, b):
    """The share of pixels (0..1) that differ by more than a little between
    two screendumps of the same size (the pixels ppm_to_png returns)."""
    if len(a) != len(b):
        return 1.0
    n = len(a) // 3
    step = 7  # every 7th pixel is plenty to tell two screens apart
    diff = sum(1 for i in range(0, n, step)
               if abs(a[3 * i] - b[3 * i]) + abs(a[3 * i + 1] - b[3 * i + 1])
               + abs(a[3 * i + 2] - b[3 * i + 2]) > 48)
    return diff / len(range(0, n, step))


def dark_share(pixels):
    """The share of (sampled) pixels that are nearly black: a screen that
    nothing has drawn on yet is (the console's cursor aside) all black."""
    n = len(pixels) // 3
    idx = range(0, n, 11)
    return sum(1 for i in idx if pixels[3 * i] + pixels[3 * i + 1] + pixels[3 * i + 2] < 24) / len(idx)


# QMP key codes of the characters the passwords and user names use
def qcodes(text):
    out = []
    for ch in text:
        if ch.isascii() and (ch.islower() or ch.isdigit()):
            out.append(ch)
        elif ch.isascii() and ch.isupper():
            out.append(["shift", ch.lower()])
        elif ch == "\n":
            out.append("ret")
        elif ch == " ":
            out.append("spc")
        elif ch == "@":
            out.append(["shift", "2"])
        elif ch == ".":
            out.append("dot")
        else:
            raise ValueError(f"no key code for {ch!r}")
    return out


class GnomeGuest(guestvm.Guest):
    """One boot of the GNOME guest. Arguments as guestvm.Guest; builds=True
    is implied (our files are part of the image, not of the config disk);
    memory_mb defaults to 3072, smp to 2. The guest's journal streams, from
    the moment journald can open /dev/hvc0, to a virtio console whose file
    is copied to journal_path when the guest stops: the whole boot, also
    when the control port no longer answers."""

    def __init__(self, memory_mb=3072, smp=2, journal_path=None, **kw):
        kw.pop("builds", None)
        kw.pop("hooks", None)
        super().__init__(memory_mb=memory_mb, **kw)
        self.smp = smp
        self.journal_path = journal_path
        self._qmp_cmd = None
        self._qmp_lock = threading.Lock()

    def start(self):
        if self.image is None:
            self.image = image_with_builds()
        return super().start()

    def command_line(self, config_img):
        img = self.image
        qemu = self.qemu_binary()
        r = self.rundir
        append = self.kernel_append("root=/dev/vda rw console=ttyS0 quiet mitigations=off "
                                    "systemd.show_status=0")
        return [
            qemu, "-name", "spice-sso-gnome", "-accel", "tcg,thread=multi", "-machine", "q35",
            "-cpu", "max", "-m", str(self.memory_mb), "-smp", str(self.smp),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", img["GUEST_KERNEL"], "-initrd", img["GUEST_INITRD"], "-append", append,
            "-chardev", f"file,id=con,path={r}/serial.log", "-serial", "chardev:con",
            "-chardev", f"socket,id=ctl,path={r}/control.sock,server=on,wait=off",
            "-serial", "chardev:ctl",
            # the debugging console (a root shell, docs/vm.md)
            "-chardev", f"socket,id=dbg,path={r}/console.sock,server=on,wait=off",
            "-serial", "chardev:dbg",
            "-qmp", f"unix:{r}/qmp.sock,server=on,wait=off",
            "-qmp", f"unix:{r}/qmp-cmd.sock,server=on,wait=off",
        ] + self.guest_devices(config_img, display=["-device", "virtio-vga"]) + [
            # the journal stream (rootfs/etc/systemd/journald.conf.d)
            "-chardev", f"file,id=jrn,path={r}/journal.log",
            "-device", "virtconsole,chardev=jrn,name=org.spice-sso.journal",
        ] + self.extra_qemu_args


    # ------------------------------------------------------------ QMP

    def qmp(self, command, **arguments):
        """One QMP command on the second monitor -> its "return" value."""
        with self._qmp_lock:
            if self._qmp_cmd is None:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(120)  # a qemu that stops answering fails the test
                s.connect(os.path.join(self.rundir, "qmp-cmd.sock"))
                f = s.makefile("rwb", buffering=0)
                json.loads(f.readline())
                f.write(b'{"execute": "qmp_capabilities"}\n')
                json.loads(f.readline())
                self._qmp_cmd = (s, f)
            s, f = self._qmp_cmd
            msg = {"execute": command}
            if arguments:
                msg["arguments"] = arguments
            f.write(json.dumps(msg).encode() + b"\n")
            while True:
                reply = json.loads(f.readline())
                if "return" in reply:
                    return reply["return"]
                if "error" in reply:
                    raise GuestError(f"QMP {command}: {reply['error']}")

    def screendump(self, png):
        """The display as the SPICE client sees it, saved as PNG ->
        (width, height, pixels)."""
        ppm = os.path.join(self.rundir, "screendump.ppm")
        self.qmp("screendump", filename=ppm)
        try:
            return ppm_to_png(ppm, png)
        finally:
            os.unlink(ppm)

    def wait_drawn(self, png, timeout=240, interval=4):
        """Screendumps until the display shows more than a plain background
        and has stopped changing (two in a row alike) -> the last one's
        (width, height, pixels). Under TCG gnome-shell paints its
        background seconds before its widgets."""
        deadline = time.monotonic() + timeout
        prev = None
        while True:
            shot = self.screendump(png)
            drawn = plain_share(shot[2]) < 0.995
            if drawn and prev is not None and difference(prev, shot[2]) < 0.002:
                return shot
            if time.monotonic() > deadline:
                return shot
            prev = shot[2] if drawn else None
            time.sleep(interval)

    def type_text(self, text, delay=0.15):
        """Type text on the guest's keyboard (QMP send-key, one key at a time)."""
        for code in qcodes(text):
            keys = code if isinstance(code, list) else [code]
            self.qmp("send-key", keys=[{"type": "qcode", "data": k} for k in keys])
            time.sleep(delay)

    def key(self, name):
        self.qmp("send-key", keys=[{"type": "qcode", "data": name}])

    # ------------------------------------------------------------ the guest's view

    def run(self, command, timeout=180):
        """As guestvm.Guest.run; a longer default time-out: under TCG the
        desktop's start keeps both CPUs busy for minutes."""
        return super().run(command, timeout)

    def sh(self, command, timeout=180):
        """run() that raises unless the command exits 0 -> its output lines."""
        rc, out = self.run(command, timeout)
        if rc != 0:
            raise GuestError(f"guest command failed (rc={rc}): {command}\n" + "\n".join(out))
        return out

    def sessions(self):
        """logind's sessions: [{Id, Name, Class, Type, State, Active, Seat,
        LockedHint, Service, Leader}] from loginctl."""
        out = self.sh("for s in $(loginctl list-sessions --no-legend | awk '{print $1}'); do "
                      "loginctl show-session $s -p Id -p Name -p Class -p Type -p State -p Active "
                      "-p Seat -p LockedHint -p Service -p Leader -p Remote; echo --; done")
        res, cur = [], {}
        for line in out:
            if line == "--":
                if cur:
                    res.append(cur)
                cur = {}
            else:
                k, _, v = line.partition("=")
                cur[k] = v
        return res

    def user_sessions(self, user, seat="seat0"):
        """The user's open sessions on the seat (None: on any seat or none,
        such as the debugging console's)."""
        return [s for s in self.sessions() if s.get("Name") == user and s.get("Class") == "user"
                and s.get("State") != "closing" and (seat is None or s.get("Seat") == seat)]

    def session_processes(self, session_id, names=("KRB5CCNAME",)):
        """The processes in the session's cgroup scope, with these variables
        of their environment: [(pid, comm, {name: value})]."""
        sid = shlex.quote(str(session_id))
        out = self.sh(
            f"uid=$(loginctl show-session {sid} -p User --value); "
            f"for p in $(cat /sys/fs/cgroup/user.slice/user-$uid.slice/session-{sid}.scope/cgroup.procs); do "
            "echo \"proc $p $(cat /proc/$p/comm)\"; tr '\\0' '\\n' </proc/$p/environ | "
            f"grep -E {shlex.quote('^(' + '|'.join(names) + ')=')} | sed 's/^/env /'; done")
        res = []
        for line in out:
            kind, _, rest = line.partition(" ")
            if kind == "proc":
                pid, _, comm = rest.partition(" ")
                res.append((int(pid), comm, {}))
            elif kind == "env" and res:
                k, _, v = rest.partition("=")
                if k in names:
                    res[-1][2][k] = v
        return res

    def wait_until(self, what, pred, timeout, interval=2.0):
        """Poll pred() (it may query the guest) until true -> its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            if time.monotonic() > deadline:
                raise GuestError(f"not within {timeout} s: {what}\n{self.tail(15)}")
            time.sleep(interval)

    def shell_started(self, user):
        """The user's gnome-shell has finished starting -> its pid, or None.
        At "startup-complete" gnome-shell 43 logs "Registering session with
        GDM", the greeter's included (the user's shell logs "GNOME Shell
        started" just before; the greeter's does not). Under TCG that is a
        minute or two after the process starts, and until then it neither
        draws its UI nor reacts to logind's Lock."""
        rc, out = self.run(f"for p in $(pgrep -u {shlex.quote(user)} -x gnome-shell); do "
                           "journalctl -q -o cat _PID=$p | grep -q '^Registering session with GDM' "
                           "&& echo $p; done")
        return int(out[0]) if rc == 0 and out else None

    def greeter_session(self):
        for s in self.sessions():
            if s.get("Class") == "greeter" and s.get("Seat") == "seat0" and s.get("Active") == "yes":
                return s
        return None

    def wait_greeter(self, timeout=400):
        """The gnome-shell greeter is up on seat0: logind has GDM's greeter
        session active there and its gnome-shell has started."""
        self.wait("control-ready", timeout=timeout)

        def up():
            s = self.greeter_session()
            return s if s and self.shell_started("Debian-gdm") else None
        return self.wait_until("the gnome-shell greeter on seat0", up, timeout)

    def session_env(self, session_id, names=("KRB5CCNAME",), process=None):
        """The environment of a session's process: its leader (the process
        GDM started with the PAM environment), or the user's process named
        process (e.g. gnome-shell) -> {name: value, "pid": pid}."""
        sid = shlex.quote(str(session_id))
        if process:
            uid = "$(loginctl show-session %s -p User --value)" % sid
            find = f"pid=$(pgrep -u {uid} -x {shlex.quote(process)} | head -n1)"
        else:
            find = f"pid=$(loginctl show-session {sid} -p Leader --value)"
        out = self.sh(f"{find}; [ -n \"$pid\" ] || exit 3; echo pid=$pid; "
                      "tr '\\0' '\\n' </proc/$pid/environ | "
                      f"grep -E {shlex.quote('^(' + '|'.join(names) + ')=')} || true")
        env = {}
        for line in out:
            k, _, v = line.partition("=")
            if k == "pid" or k in names:
                env[k] = v
        return env

    def as_user_in_session(self, user, session_id, command, timeout=60):
        """Run command as user inside the session: in its cgroup scope, with
        the session's KRB5CCNAME, XDG_RUNTIME_DIR and bus -> (rc, lines)."""
        procs = self.session_processes(session_id, ("KRB5CCNAME", "XDG_RUNTIME_DIR",
                                                    "DBUS_SESSION_BUS_ADDRESS"))
        # a process of the session that has its cache (gnome-session,
        # gdm-wayland-session); the leader, GDM's worker, has none
        pid, _, env = next((p for p in procs if "KRB5CCNAME" in p[2]), procs[0])
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        uid = UIDS[user]
        script = (f"scope=$(sed -n 's/^0:://p' /proc/{pid}/cgroup); "
                  f"echo $$ > /sys/fs/cgroup$scope/cgroup.procs && "
                  f"exec setpriv --reuid={uid} --regid={uid} --init-groups "
                  f"env -i HOME=/home/{user} USER={user} PATH=/usr/bin:/bin {assigns} "
                  f"bash -c {shlex.quote(command)}")
        return self.run(script, timeout)

    def journal(self, args="", since_cursor=None):
        cur = f"--after-cursor={shlex.quote(since_cursor)}" if since_cursor else ""
        return self.sh(f"journalctl -q --no-pager -o short-monotonic {cur} {args}")

    def journal_cursor(self):
        out = self.sh("journalctl -q -n 1 --show-cursor -o cat | sed -n 's/^-- cursor: //p'")
        return out[-1] if out else None

    def stop(self):
        if self._qmp_cmd is not None:
            self._qmp_cmd[0].close()
            self._qmp_cmd = None
        if self.journal_path and self.rundir and os.path.isfile(os.path.join(self.rundir, "journal.log")):
            try:
                shutil.copyfile(os.path.join(self.rundir, "journal.log"), self.journal_path)
                os.chmod(self.journal_path, 0o600)
            except OSError:
                pass
        super().stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["passwords"]:
        for user, pw in PASSWORDS.items():
            print(f"{user}:{pw}")
        sys.exit(0)
    sys.exit("usage: gnomevm.py passwords")
