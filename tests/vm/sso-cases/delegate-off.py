"""qemu with gss-delegate=off: alice's delegating client connects, the agent
is there, nothing reaches the guest's vdagentd, no login."""

from vm_sso import check

# how the guest boots (keywords of vm_sso.Run)
RUN = {'delegate': False}


def run(r):
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    c = r.connect('alice')
    r.nothing_reaches_guest(c, start)
    check(not r.server(r'capture .*result=kept|deliver ', n),
          'qemu\'s spice-server kept and sent nothing')
    check(c.disconnect() == 0, 'the client disconnects cleanly')
