"""-spice sasl-authz=nosuch (no such object): qemu warns at start, refuses
alice and bob, and says why at each connection; nothing is captured."""


def run(q):
    q.start_qemu('unknown', 'sasl=on,sasl-authz=nosuch,gss-delegate=on')
    q.wait('qemu-unknown.err', r"sasl-authz 'nosuch' is not \(yet\) an authorization object")
    for user in ('alice', 'bob'):
        p = q.principal(user)
        q.user_tgt(user, '-f')
        q.refused('unknown-' + user, p)
        q.wait('qemu-unknown.err', rf"spice: cannot authorize SASL user '{p}'")
        q.wait('qemu-unknown.err', rf'sso: link .*channel=main principal={p} .*authz=refused '
               r'result=refused')
    q.absent('qemu-unknown.err', r'sso: capture')
    q.qemu_alive()
