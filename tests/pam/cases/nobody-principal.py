"""nobody (65534) is above UID_MAX (60000 in Debian's login.defs): refused."""


def run(p):
    nobody = p.principal('nobody')
    p.client_tgt('nobody')
    p.greeter()
    p.standin('nobody')
    p.refused(2, r'refused %s: local user refused: %s maps to nobody, uid 65534, not a regular '
              r'user account \(above uid_max 60000;' % (nobody, nobody))
