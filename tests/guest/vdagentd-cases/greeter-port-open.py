"""With SSO the port stays open at the greeter with no session agent;
the server then uses client mouse mode, and the tablet (sized 1024x768
here: no DRM device) moves the pointer."""

import struct

from vdagentd_harness import VDP_SERVER_PORT, VD_AGENT_MOUSE_STATE, check, frame, guest, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    g.wait_log(r'no session agent: keeping the vdagent virtio channel open for single sign-on')
    g.wait_log(r'no active DRM output: the tablet covers 1024x768')
    g.host.send(frame(VDP_SERVER_PORT, VD_AGENT_MOUSE_STATE, struct.pack('<IIIB', 100, 200, 0, 0)))

    def events():
        with open(g.uinput, 'rb') as f:
            data = f.read()
        return [struct.unpack('<HHi', data[i + 16:i + 24]) for i in range(0, len(data) - 23, 24)]
    wait_for(lambda: (0, 0, 0) in events(), 5, 'a SYN event on the tablet')
    ev = events()
    check((3, 0, 100) in ev and (3, 1, 200) in ev,
          'the pointer moved to 100,200 through the tablet (EV_ABS events %s)' % ev)
