"""An unlock with no cache to refresh: the user is let in, nothing
written."""


def run(p):
    p.client_tgt('alice')
    p.greeter('--unlock', 'alice')
    p.standin('alice')
    p.wait('greeter.out', r'^result ', 60)
    p.expect('greeter.out', r'^pam setcred-reinitialize 0 ', 'credentials reinitialized')
    p.expect('syslog', r'did not refresh a credential cache of user alice with %s: .*does not '
             r'exist' % p.principal('alice'), 'logged')
    p.greeter_done()
    p.no_cache_left()
