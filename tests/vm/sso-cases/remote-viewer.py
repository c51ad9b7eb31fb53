"""Debian's remote-viewer (package virt-viewer), unmodified, on an Xvfb
display with the patched libspice-client-glib:
`remote-viewer --spice-gss-delegate spice://...` as alice logs her in
exactly as spice-sso-connect does."""


def run(r):
    r.boot()
    start = len(r.g.markers)
    n = r.server_count()
    c = r.remote_viewer('alice')
    r.viewer_login(c, start, n)
