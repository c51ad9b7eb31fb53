"""The client without --spice-gss-delegate: the server keeps nothing,
nothing reaches the guest, no login."""

from vm_sso import check


def run(r):
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    c = r.connect('alice', delegate=False)
    check(c.wait(r'^session ')[1].endswith('gss-delegate=off'), 'the client does not delegate')
    r.nothing_reaches_guest(c, start)
    check(r.wait_server(r'capture .*principal=alice@\S+ result=none reason="no delegated '
                        r'credential"', n) is not None,
          'qemu\'s spice-server: "no delegated credential"')
    check(not r.server(r'deliver ', n), 'and sent nothing')
    check(c.disconnect() == 0, 'the client disconnects cleanly')
