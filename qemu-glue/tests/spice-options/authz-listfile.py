"""authz-listfile cannot be created in qemu 7.2 at all, for VNC as for
SPICE: the QAPI enum calls it "authz-listfile", the QOM type is
"authz-list-file" (include/authz/listfile.h), so -object fails before
sasl-authz is looked at (a qemu 7.2 bug, not ours). Pinned here so that a
fixed qemu shows up (then test it as authz-list)."""


def run(q):
    rules = q.path('authz.json')
    with open(rules, 'w') as f:
        f.write('{ "policy": "deny", "rules": [ { "match": "alice@SPICE.TEST", '
                '"policy": "allow" } ] }\n')
    q.refused('invalid object type: authz-listfile', 'sasl=on,sasl-authz=auth0',
              '-object', 'authz-listfile,id=auth0,filename=' + rules)
