"""mallory@REALM has no local account: refused."""


def run(p):
    mallory = p.principal('mallory')
    p.client_tgt('mallory')
    p.greeter()
    p.standin('mallory')
    p.refused(2, 'refused %s: no permitted local user: %s maps to mallory, which is no local '
              'account' % (mallory, mallory))
