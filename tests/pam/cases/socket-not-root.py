"""The socket is served by bob, not by root: the module does not talk to
it."""
import os

from ssotest.identities import BOB_UID


def run(p):
    p.client_tgt('alice')
    for f in (p.path('run/vdagentd'), p.path('client/alice.ccache')):
        os.chown(f, BOB_UID, BOB_UID)
    p.greeter()
    p.standin('alice', argv_prefix=['setpriv', '--reuid=%d' % BOB_UID,
                                    '--regid=%d' % BOB_UID, '--clear-groups'])
    p.refused(None, r'refused: cannot redeem the token: %s is served by uid %d \(pid [0-9]+\), '
              r'not by root: refused' % (p.socket, BOB_UID))
    p.absent('standin.out', r'^fetch', 'nothing was asked of it')
