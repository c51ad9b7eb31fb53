"""The real client: spice-sso-connect --spice-gss-delegate on the patched
spice-client-glib, plain TCP: delivered once, klist reads it; the TGT
leaves the server's memory once acknowledged although the client stays
connected."""
import os


def run(s):
    alice = s.principal('alice')
    s.start_host('--gss-delegate', '--authz-allow', alice)
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_gtk('c', '--port', s.port, '--spice-gss-delegate')
    s.wait('gtk-c.out', r'^start .* gss-delegate-option=yes$')
    s.wait('gtk-c.out', r'^session .* gss-delegate=on$')
    s.gtk_delivered('c', 'layer')
    s.wait('host.out', rf'^authz principal={alice} result=allowed')
    s.wait('host.err', rf'sso: link .*channel=main principal={alice} mech=GSS(API|-SPNEGO) '
           r'tls=no protection=layer .*result=allowed')
    # the agent acknowledged, the client is still connected with a SASL
    # security layer: the TGT is nowhere in the server's memory
    s.recorded_key(os.path.join(s.rec, 'sso-1.ccache'))
    s.key_in_server_memory('absent', 'acknowledged, spice-gtk connected')
    s.stop(s.gtk)
    s.wait('gtk-c.out', r'^exit status=0$')
    s.wait('host.out', r'^channel-disconnected .*type=main')
    s.host_alive()
