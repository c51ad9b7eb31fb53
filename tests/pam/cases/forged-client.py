"""alice's real ticket relabelled as bob's (a local user): the ticket's
encrypted part still names alice; refused."""


def run(p):
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice', '--forge-as', 'bob', tamper='client')
    p.refused(1, 'refused %s: ticket verification failed' % p.principal('bob'))
