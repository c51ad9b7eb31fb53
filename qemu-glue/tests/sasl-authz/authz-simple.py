"""-object authz-simple allowing alice, -spice sasl=on,sasl-authz=a0,
gss-delegate=on: alice links (and her delegated TGT is captured: there is
no agent to deliver it to); bob is refused cleanly: the client reads
"authentication failed", qemu's spice-server logs the refusal, qemu's trace
shows the authz object's answer; qemu keeps running and alice can link
again."""
from ssotest.core import check


def run(q):
    alice, bob = q.principal('alice'), q.principal('bob')
    q.start_qemu('simple', 'sasl=on,sasl-authz=a0,gss-delegate=on',
                 '-object', 'authz-simple,id=a0,identity=' + alice)
    q.user_tgt('alice', '-f')
    check(q.run_client('alice', '--port', q.port, '--delegate') == 0, 'alice links')
    q.wait('client-alice.out', r'^linked channel=1 ')
    q.wait('qemu-simple.err', rf'qemu_spice_sasl_authz principal={alice} authz=a0 allow=1')
    q.wait('qemu-simple.err', rf'sso: link .*channel=main principal={alice} '
           r'.*authz=allowed result=allowed')
    # gss-delegate=on: the delegated TGT is taken (no agent to give it to)
    q.wait('qemu-simple.err', rf'sso: capture .*principal={alice} result=kept')

    q.user_tgt('bob', '-f')
    q.refused('bob', bob)
    q.wait('qemu-simple.err', rf'qemu_spice_sasl_authz principal={bob} authz=a0 allow=0')
    q.wait('qemu-simple.err', rf'sso: link .*channel=main principal={bob} .*authz=refused '
           r'result=refused reason="not allowed by the authorization hook"')
    q.wait('qemu-simple.err', rf'Authentication rejected for {bob}')
    q.absent('qemu-simple.err', r'sso: capture .*principal=bob@')
    q.qemu_alive()

    # alice still can
    q.use_tgt('alice')
    check(q.run_client('alice2', '--port', q.port) == 0, 'alice links again')
    q.qemu_alive()
