"""Debian's unpatched spice-client-glib (LD_LIBRARY_PATH), the same
program, plain TCP: the delegation option is ignored, nothing delivered."""


def run(s):
    s.start_host('--gss-delegate')
    s.debian_gtk('--port', s.port)
    s.wait('host.err', r'sso: link .*channel=main principal=%s .*tls=no protection=layer '
           % s.principal('alice'))
