"""A systemd dynamic user (61184-65519) is above UID_MAX too: refused."""


def run(p):
    dyn = p.principal('dynuser')
    p.client_tgt('dynuser')
    p.greeter()
    p.standin('dynuser')
    p.refused(2, r'refused %s: local user refused: %s maps to dynuser, uid 61184, not a '
              r'regular user account \(above uid_max 60000;' % (dyn, dyn))
