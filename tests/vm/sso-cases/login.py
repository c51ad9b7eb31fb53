"""alice's delegating client -> VD_AGENT_SSO through qemu's spice-server ->
vdagentd -> greeter -> the module verifies against the guest's keytab ->
session; klist in alice's session shows the forwarded TGT in her 0600 FILE
cache."""

from vm_sso import check


def run(r):
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    c = r.connect('alice')
    c.wait_connected()
    r.login(c, start)
    check(r.wait_server(r'capture .*principal=alice@\S+ result=kept', n) is not None,
          'qemu\'s spice-server kept alice\'s delegated credential')
    check(r.wait_server(r'deliver .*principal=alice@\S+ .*result=sent', n) is not None,
          'and sent VD_AGENT_SSO on the agent port')
    check(r.wait_server(r'reply .*principal=alice@\S+ .*result=accepted', n) is not None,
          'the agent\'s reply ACCEPTED reached it')
    check(r.server(r'link .*channel=main\b.*principal=alice@\S+ .*authz=allowed result=allowed', n),
          'the authz-list object allowed alice (sasl-authz)')
    ccs = r.markers('ccache-stat', start)
    check(ccs and ccs[0].details.startswith('uid=5001 mode=600 '),
          'guest: the cache file is alice\'s, 0600 (%s)' % (ccs and ccs[0].details))
    rc, out = r.g.run("stat -c '%a %U' /tmp/krb5cc_5001")
    check(rc == 0 and out == ['600 alice'], 'guest: /tmp/krb5cc_5001 is 600 alice (%s)' % out)
    check(c.disconnect() == 0, 'the client disconnects cleanly')
