"""daemon@REALM maps to a system account (uid below UID_MIN): refused."""


def run(p):
    p.client_tgt('daemon')
    p.greeter()
    p.standin('daemon')
    p.refused(2, r'refused %s: local user refused: .*uid 1, a system account \(below uid_min '
              r'1000\)' % p.principal('daemon'))
