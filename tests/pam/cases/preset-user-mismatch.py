"""bob's unlock dialog gets alice's token: refused; the FETCH told the
agent whose conversation it is (vdagentd refuses it there without handing
the credential out: guest-e2e)."""
from ssotest.identities import BOB_UID


def run(p):
    p.client_tgt('alice')
    p.greeter('--unlock', 'bob')
    p.standin('alice')
    p.refused(3, 'refused %s: it maps to user alice, but the user of this conversation is bob'
              % p.principal('alice'))
    p.expect('standin.out', r'^fetch-user %d' % BOB_UID, 'the FETCH names the preset user')
