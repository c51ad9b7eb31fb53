"""A login: the module stores alice's TGT in her FILE cache, as alice; the
session's klist reads it; closing the session destroys it."""


def run(p):
    p.client_tgt('alice')
    p.greeter('--hold', '--', p.probe)
    p.standin('alice')
    p.login('FILE:' + p.user_cache, p.user_cache)
    p.no_cache_left()
