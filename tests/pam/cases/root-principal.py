"""root@REALM maps to uid 0: always refused."""


def run(p):
    root = p.principal('root')
    p.client_tgt('root')
    p.greeter()
    p.standin('root')
    p.refused(2, 'refused %s: local user refused: %s maps to root, uid 0: refused' % (root, root))
